// check_host() on a typical record (a few ip4 ranges, one include, -all),
// answered from memory: by the zone resolver, and by the DNS cache a
// receiving server uses once it is warm. Reports checks per second (one core).
#include <benchmark/benchmark.h>

#include "spfdoctor/net_resolver.hpp"
#include "spfdoctor/record.hpp"
#include "spfdoctor/spf.hpp"

namespace {

using namespace spfdoctor;

std::shared_ptr<dns::ZoneData> typical_zone() {
  auto z = std::make_shared<dns::ZoneData>();
  auto txt = [&](const char* name, const char* text) {
    dns::Record rr;
    rr.type = dns::RType::TXT;
    rr.ttl = 3600;
    rr.strings = {text};
    z->add(name, rr);
  };
  txt("example.com",
      "v=spf1 ip4:192.0.2.0/25 ip4:198.51.100.0/24 ip4:203.0.113.64/26 include:_spf.mailer.example.net -all");
  txt("_spf.mailer.example.net", "v=spf1 ip4:100.64.0.0/16 ip4:100.65.0.0/16 ip6:2001:db8::/32 ~all");
  return z;
}

// Times evaluate() against `resolver`, after one check that warms any cache.
void run_with(benchmark::State& state, dns::Resolver& resolver, const char* ip, Result want, bool trace) {
  Query q{*IpAddress::parse(ip), "alice@example.com", "mail.example.org"};
  EvalOptions opts;
  opts.trace = trace;
  opts.timestamp = 1700000000;
  (void)evaluate(resolver, q, opts);
  for (auto _ : state) {
    auto e = evaluate(resolver, q, opts);
    if (e.result != want) state.SkipWithError("unexpected result");
    benchmark::DoNotOptimize(e);
  }
  state.counters["evals_per_sec"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void run(benchmark::State& state, const char* ip, Result want, bool trace) {
  dns::ZoneResolver resolver(typical_zone());
  run_with(state, resolver, ip, want, trace);
}

// The path a receiving server takes on a warm cache: CachingResolver answers
// every query from the shared DnsCache (TTL check, LRU, shard lock).
void run_cached(benchmark::State& state, const char* ip, Result want) {
  dns::CachingResolver resolver(std::make_shared<dns::DnsCache>(),
                                std::make_unique<dns::ZoneResolver>(typical_zone()));
  run_with(state, resolver, ip, want, false);
}

void BM_CheckHost_PassFirstRange(benchmark::State& s) {
  run(s, "192.0.2.10", Result::Pass, false);
}
void BM_CheckHost_PassViaInclude(benchmark::State& s) {
  run(s, "100.65.3.4", Result::Pass, false);
}
void BM_CheckHost_FailAll(benchmark::State& s) {
  run(s, "203.0.113.1", Result::Fail, false);
}
void BM_CheckHost_FailAllWithTrace(benchmark::State& s) {
  run(s, "203.0.113.1", Result::Fail, true);
}

void BM_CheckHost_PassViaInclude_WarmDnsCache(benchmark::State& s) {
  run_cached(s, "100.65.3.4", Result::Pass);
}
void BM_CheckHost_FailAll_WarmDnsCache(benchmark::State& s) {
  run_cached(s, "203.0.113.1", Result::Fail);
}

void BM_ParseRecord(benchmark::State& state) {
  const char* rec =
      "v=spf1 ip4:192.0.2.0/25 ip4:198.51.100.0/24 ip4:203.0.113.64/26 include:_spf.mailer.example.net -all";
  for (auto _ : state) benchmark::DoNotOptimize(spf::parse_record(rec));
}

BENCHMARK(BM_CheckHost_PassFirstRange);
BENCHMARK(BM_CheckHost_PassViaInclude);
BENCHMARK(BM_CheckHost_FailAll);
BENCHMARK(BM_CheckHost_FailAllWithTrace);
BENCHMARK(BM_CheckHost_PassViaInclude_WarmDnsCache);
BENCHMARK(BM_CheckHost_FailAll_WarmDnsCache);
BENCHMARK(BM_ParseRecord);

}  // namespace

BENCHMARK_MAIN();
