// The machinery HEFT, CPOP and PEFT share: a partial schedule with the insertion-based start-time rule, and the
// ready-list loop that hands the highest-priority ready task to an algorithm's device choice.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "sim/schedule/task_graph_structure.hpp"

namespace ual::sim::detail {

class PartialSchedule {
 public:
  PartialSchedule(const TaskGraph& graph, const TaskGraphStructure& structure);

  // When all of the task's inputs can be on `device`: max over predecessors of their finish time, plus the edge's
  // cost when the predecessor ran elsewhere. Every predecessor must be placed.
  double data_ready_time(std::size_t task, std::size_t device) const;
  // The insertion policy (Topcuoglu et al., section 4.1): the earliest idle gap on `device`, at or after the data
  // ready time, long enough for the task; after the device's last task when no gap fits.
  double earliest_start(std::size_t task, std::size_t device) const;
  double earliest_finish(std::size_t task, std::size_t device) const;

  void place(std::size_t task, std::size_t device, double start);
  bool placed(std::size_t task) const { return placed_[task]; }
  std::vector<ScheduledTask> release() && { return std::move(tasks_); }

 private:
  struct Busy {
    double start = 0;
    double finish = 0;
  };
  const TaskGraph& graph_;
  const TaskGraphStructure& structure_;
  std::vector<ScheduledTask> tasks_;
  std::vector<bool> placed_;
  std::vector<std::vector<Busy>> timelines_;  // per device, by start time, never overlapping
};

// Picks the device for a ready task; `schedule` holds every task placed so far.
using DeviceChoice = std::function<std::size_t(std::size_t task, const PartialSchedule& schedule)>;

// Repeatedly takes the ready task (all predecessors placed) with the highest priority key (ties: the lower task
// index), asks `choose` for its device and places it at its earliest start there. A ready list rather than one sort
// keeps the order topological even where priorities do not decrease along edges (CPOP's, zero-cost tasks).
std::vector<ScheduledTask> list_schedule(const TaskGraph& graph, const TaskGraphStructure& structure,
                                         const std::vector<double>& priorities, const DeviceChoice& choose);

// The device with the smallest earliest finish time (ties: the lower device index).
std::size_t earliest_finish_device(std::size_t task, const PartialSchedule& schedule, std::size_t devices);

}  // namespace ual::sim::detail
