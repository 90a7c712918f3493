// The master-file loader (ldns underneath) on arbitrary bytes. Invariant: it
// returns a zone or throws std::runtime_error with a message; it never
// crashes, leaks, hangs or throws anything else.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "fuzz_check.hpp"
#include "spfdoctor/dns.hpp"

namespace {

// One scratch file per process, rewritten for every input; on tmpfs when
// there is one (five times the executions per second of a disk-backed /tmp).
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* env = std::getenv("TMPDIR");
    std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
    if (::access("/dev/shm", W_OK) == 0) dir = "/dev/shm";
    std::string tmpl = dir + "/spfdoctor-fuzz-zone-XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    FUZZ_CHECK(fd >= 0, "mkstemp " + tmpl);
    ::close(fd);
    std::atexit([] { std::remove(scratch_path().c_str()); });
    return tmpl;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write " + path);
  if (size > 0) FUZZ_CHECK(std::fwrite(data, 1, size, f) == size, "short write");
  std::fclose(f);
  try {
    const auto zone = spfdoctor::dns::load_master_file(path, "example.com.");
    (void)zone.lookup("example.com", spfdoctor::dns::RType::TXT);
    (void)zone.lookup("www.example.com", spfdoctor::dns::RType::A);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string(e.what()).starts_with(path), std::string("error does not name the file: ") + e.what());
  }
  return 0;
}
