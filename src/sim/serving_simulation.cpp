#include "sim/serving_simulation.hpp"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

namespace ual::sim {
namespace {

// Requests admitted in the same step with the same progress move in lockstep, so they are kept as one group: an
// offline run of 30,000 identical requests is a few hundred groups, not 30,000 sequences.
struct Group {
  double count = 0;
  int prefilled = 0;   // prompt tokens done, per sequence
  int generated = 0;   // output tokens done, per sequence
  double arrival = 0;  // mean arrival time of the group's requests
  double first_token = 0;
};

struct Totals {
  double ttft = 0, tpot = 0, latency = 0, finished = 0, batch_time = 0;
};

}  // namespace

Result<ServingResult> simulate_serving(const ServingWorkload& workload, const StepCostFunction& step_seconds) {
  const int input = workload.input_len, output = workload.output_len;
  if (input <= 0 || output <= 0 || workload.max_batch <= 0 || workload.max_num_tokens <= 0)
    return make_error(ErrorCode::invalid_argument, "serving simulation needs positive lengths, batch and budget");
  std::deque<Group> waiting;
  for (double arrival : workload.arrival_times) {
    if (!waiting.empty() && waiting.back().arrival == arrival && waiting.back().prefilled == 0)
      waiting.back().count += 1;
    else
      waiting.push_back({1, 0, 0, arrival, 0});
  }
  std::vector<Group> running;
  double now = 0, in_flight = 0;
  Totals totals;
  ServingResult result;
  // Each step finishes at least one token of work, so this bounds the loop for any valid input.
  const double step_limit = static_cast<double>(workload.arrival_times.size()) * (output + input) + 1000;
  while (!waiting.empty() || !running.empty()) {
    if (running.empty() && waiting.front().arrival > now) now = waiting.front().arrival;
    // Admit arrived requests while sequences fit.
    while (!waiting.empty() && waiting.front().arrival <= now && in_flight < workload.max_batch) {
      Group& next = waiting.front();
      const double admitted = std::min(next.count, workload.max_batch - in_flight);
      Group group = next;
      group.count = admitted;
      running.push_back(group);
      in_flight += admitted;
      next.count -= admitted;
      if (next.count <= 0) waiting.pop_front();
    }
    StepLoad load;
    double budget = workload.max_num_tokens;
    for (const Group& group : running)
      if (group.prefilled == input) {
        load.decode_tokens += group.count;
        load.decode_context += group.count * (input + group.generated);
      }
    budget -= load.decode_tokens;
    load.logits_rows = load.decode_tokens;
    // Prompt chunks in arrival order; a group the budget cannot cover is split.
    std::vector<int> chunk(running.size(), 0);
    for (std::size_t index = 0; index < running.size() && budget >= 1; ++index) {
      Group& group = running[index];
      if (group.prefilled == input) continue;
      const int remaining = input - group.prefilled;
      if (budget >= remaining * group.count) {
        chunk[index] = remaining;
      } else if (budget >= remaining) {
        const double whole = std::floor(budget / remaining);
        Group rest = group;
        rest.count = group.count - whole;
        group.count = whole;
        chunk[index] = remaining;
        running.insert(running.begin() + static_cast<std::ptrdiff_t>(index) + 1, rest);
        chunk.insert(chunk.begin() + static_cast<std::ptrdiff_t>(index) + 1, 0);
      } else {
        if (group.count > 1) {
          Group rest = group;
          rest.count = group.count - 1;
          group.count = 1;
          running.insert(running.begin() + static_cast<std::ptrdiff_t>(index) + 1, rest);
          chunk.insert(chunk.begin() + static_cast<std::ptrdiff_t>(index) + 1, 0);
        }
        chunk[index] = static_cast<int>(budget);
      }
      // The inserts above may have moved the vector: look the group up again.
      const Group& current = running[index];
      const double tokens = chunk[index] * current.count;
      budget -= tokens;
      load.prefill_tokens += tokens;
      load.prefill_attention += current.count * (static_cast<double>(chunk[index]) * current.prefilled +
                                                 0.5 * chunk[index] * (chunk[index] + 1.0));
      if (current.prefilled + chunk[index] == input) load.logits_rows += current.count;
    }
    const double seconds = step_seconds(load);
    if (!(seconds > 0))
      return make_error(ErrorCode::internal, fmt::format("a step of {} tokens has no cost", load.tokens()));
    totals.batch_time += in_flight * seconds;
    now += seconds;
    ++result.steps;
    if (result.steps > step_limit)
      return make_error(ErrorCode::internal, "serving simulation made no progress (step limit reached)");
    // Advance every group by what this step did.
    std::vector<Group> still_running;
    still_running.reserve(running.size());
    for (std::size_t index = 0; index < running.size(); ++index) {
      Group group = running[index];
      if (group.prefilled == input) {
        group.generated += 1;
      } else if (chunk[index] > 0) {
        group.prefilled += chunk[index];
        if (group.prefilled == input) {
          group.generated = 1;  // the prompt's last chunk yields the first token
          group.first_token = now;
          totals.ttft += group.count * (now - group.arrival);
        }
      }
      if (group.generated >= output) {
        totals.finished += group.count;
        totals.latency += group.count * (now - group.arrival);
        if (output > 1) totals.tpot += group.count * (now - group.first_token) / (output - 1);
        in_flight -= group.count;
        continue;
      }
      still_running.push_back(group);
    }
    running = std::move(still_running);
    // Merge neighbours in the same state so that groups stay few.
    std::vector<Group> merged;
    for (const Group& group : running) {
      if (!merged.empty() && merged.back().prefilled == group.prefilled &&
          merged.back().generated == group.generated) {
        Group& into = merged.back();
        const double total = into.count + group.count;
        into.arrival = (into.arrival * into.count + group.arrival * group.count) / total;
        into.first_token = (into.first_token * into.count + group.first_token * group.count) / total;
        into.count = total;
      } else {
        merged.push_back(group);
      }
    }
    running = std::move(merged);
  }
  const double requests = std::max(1.0, totals.finished);
  result.makespan_s = now;
  result.mean_ttft_s = totals.ttft / requests;
  result.mean_tpot_s = output > 1 ? totals.tpot / requests : 0;
  result.mean_latency_s = totals.latency / requests;
  result.mean_batch = now > 0 ? totals.batch_time / now : 0;
  return result;
}

}  // namespace ual::sim
