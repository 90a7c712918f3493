// Provider look-ups for the linter (internal).
#pragma once

#include <string_view>

#include "diagnose/providers.hpp"
#include "spfdoctor/lint.hpp"

namespace spfdoctor::lint {

// By --provider id, with the short aliases users type (m365, ses, gmail).
[[nodiscard]] const diagnose::Provider* provider_by_id(std::string_view id);

}  // namespace spfdoctor::lint
