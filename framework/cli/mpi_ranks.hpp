#pragma once
// The ranks of `mpirun -np R wow sweep`: MPI is started only when wow was built with it (OpenMPI, optional) and
// launched by an MPI launcher; otherwise there is one rank and nothing is communicated.
#include <string>
#include <vector>

namespace wow::cli {

class Ranks {
 public:
  Ranks();  // throws InputError when launched by mpirun with R > 1 but built without MPI
  ~Ranks();
  Ranks(const Ranks&) = delete;
  Ranks& operator=(const Ranks&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  // Rank 0's `text` on every rank.
  [[nodiscard]] std::string broadcast(const std::string& text) const;
  // Returns when every rank has called it, sleeping meanwhile (MPI's own waits spin a core, which a rank that
  // finished its share early would take from the children of the others).
  void wait_for_all() const;
  // Every rank's `text`, in rank order, on rank 0 (empty elsewhere).
  [[nodiscard]] std::vector<std::string> gather(const std::string& text) const;

 private:
  int rank_ = 0;
  int size_ = 1;
  bool started_ = false;
};

}  // namespace wow::cli
