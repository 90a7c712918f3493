// Which providers --provider knows, and what a typed domain name may look like.
// The provider data itself is shared with the bounce doctor.
#include "lint/providers.hpp"

namespace spfdoctor::lint {

bool is_plausible_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return false;
  std::size_t label = 0;
  bool digits_only = true;  // in the current label
  for (char c : d) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      digits_only = true;
      continue;
    }
    const bool digit = c >= '0' && c <= '9';
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
    digits_only = digits_only && digit;
  }
  // No top-level domain is all digits (RFC 3696 §2): "192.0.2.1" is an
  // address, not a name.
  return label > 0 && !digits_only;
}

const diagnose::Provider* provider_by_id(std::string_view id) {
  if (id == "m365" || id == "o365" || id == "office365") id = "microsoft365";
  if (id == "gmail" || id == "workspace") id = "google";
  if (id == "ses") id = "amazonses";
  return diagnose::find_provider(id);
}

std::vector<std::string> provider_ids() {
  std::vector<std::string> out{"m365"};
  for (const auto& p : diagnose::providers()) out.emplace_back(p.id);
  return out;
}

bool is_known_provider(std::string_view id) { return provider_by_id(id) != nullptr; }

}  // namespace spfdoctor::lint
