// Writing the JSON lines of `scan` and `eval --batch --json`: through an
// nlohmann::json tree (to_json + dump, as the CLI did) and straight into a
// string (report::append_json_line). Reports come from the bench world
// (bench/world/gen_world.py, which the unit tests build into
// build/tests/bench-world; another directory with SPFDOCTOR_BENCH_WORLD=DIR):
// its 10,000 domains linted and its 2,100 queries evaluated, once, before timing.
//
// Wall time needs a quiet machine. Instruction counts do not: one benchmark,
// one iteration, counted inside the benchmark function only, e.g.
//   valgrind --tool=callgrind --toggle-collect='(anonymous namespace)::Lint_Direct(*'
//     build/bench/bench_json_lines --benchmark_filter='^Lint_Direct$' --benchmark_min_time=0
// then the same with Lint_Nlohmann, and compare the "Collected" totals. (The
// pattern must not match BENCHMARK_CAPTURE's lambdas, whose names hold the
// function's: two nested matches toggle collection off again.)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "spfdoctor/lint.hpp"
#include "spfdoctor/lint_report.hpp"
#include "spfdoctor/report.hpp"

namespace {

using namespace spfdoctor;

struct EvalLine {
  std::string ip, sender, helo;
  Evaluation traced, untraced;
};

struct World {
  std::vector<lint::LintReport> reports;
  std::vector<EvalLine> evals;
  std::string error;
};

const World& world() {
  static const World w = [] {
    World out;
    const char* env = std::getenv("SPFDOCTOR_BENCH_WORLD");
    const std::string dir = env != nullptr ? env : SPFDOCTOR_DEFAULT_BENCH_WORLD;
    std::ifstream domains(dir + "/domains.txt");
    std::ifstream queries(dir + "/queries-2100.txt");
    if (!domains || !queries) {
      out.error = "no bench world in " + dir + " (build unit_tests, or run bench/world/gen_world.py DIR)";
      return out;
    }
    dns::ZoneResolver resolver(std::make_shared<dns::ZoneData>(dns::load_master_file(dir + "/world.zone")));
    for (std::string d; std::getline(domains, d);) out.reports.push_back(lint::lint(resolver, d));
    for (std::string line; std::getline(queries, line);) {
      EvalLine l;
      std::istringstream words(line);
      words >> l.ip >> l.sender >> l.helo;
      const Query q{*IpAddress::parse_client(l.ip), l.sender == "<>" ? "" : l.sender, l.helo, "unknown"};
      EvalOptions opts;
      l.traced = evaluate(resolver, q, opts);
      opts.trace = false;
      l.untraced = evaluate(resolver, q, opts);
      out.evals.push_back(std::move(l));
    }
    return out;
  }();
  return w;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// One iteration writes every line once; bytes/s counts the output.
void Lint_Nlohmann(benchmark::State& state) {
  const auto& w = world();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& r : w.reports) {
      auto line = dump(report::to_json(r)) + "\n";
      bytes += line.size();
      benchmark::DoNotOptimize(line);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void Lint_Direct(benchmark::State& state) {
  const auto& w = world();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  std::size_t bytes = 0;
  std::string line;
  for (auto _ : state) {
    for (const auto& r : w.reports) {
      line.clear();
      report::append_json_line(line, r);
      bytes += line.size();
      benchmark::DoNotOptimize(line);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// noinline: BENCHMARK_CAPTURE calls these from a lambda; callgrind --toggle-collect needs them by name.
[[gnu::noinline]] void Eval_Nlohmann(benchmark::State& state, bool trace) {
  const auto& w = world();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& l : w.evals) {
      auto j = report::to_json(trace ? l.traced : l.untraced, trace);
      j["ip"] = l.ip;
      j["sender"] = l.sender;
      j["helo"] = l.helo;
      auto line = dump(j) + "\n";
      bytes += line.size();
      benchmark::DoNotOptimize(line);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

[[gnu::noinline]] void Eval_Direct(benchmark::State& state, bool trace) {
  const auto& w = world();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  std::size_t bytes = 0;
  std::string line;
  for (auto _ : state) {
    for (const auto& l : w.evals) {
      line.clear();
      report::append_json_line(line, trace ? l.traced : l.untraced, trace, l.ip, l.sender, l.helo);
      bytes += line.size();
      benchmark::DoNotOptimize(line);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

BENCHMARK(Lint_Nlohmann)->Unit(benchmark::kMillisecond);
BENCHMARK(Lint_Direct)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Eval_Nlohmann, Trace, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Eval_Direct, Trace, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Eval_Nlohmann, NoTrace, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Eval_Direct, NoTrace, false)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  (void)world();  // lint and evaluate before any benchmark, so that callgrind's --toggle-collect sees only writing
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
