#include "mpi_ranks.hpp"

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "wow/errors.hpp"

#ifdef WOW_HAVE_MPI
#include <mpi.h>
#endif

namespace wow::cli {

namespace {

// The world size an MPI launcher announces (OpenMPI, PMI/PMIx as Slurm's srun sets them), or 0 when none did.
int launcher_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') {
      if (std::string(name) == "SLURM_NTASKS" && std::getenv("PMI_RANK") == nullptr &&
          std::getenv("PMIX_RANK") == nullptr)
        continue;  // inside an allocation but not started by srun's MPI plugin
      return std::atoi(v);
    }
  }
  return 0;
}

}  // namespace

Ranks::Ranks() {
  const int launched = launcher_size();
#ifdef WOW_HAVE_MPI
  if (launched > 0) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    started_ = true;
  }
#else
  if (launched > 1)
    throw InputError("wow sweep was started by an MPI launcher with " + std::to_string(launched) +
                     " ranks, but this wow was built without MPI (install libopenmpi-dev and rebuild); every rank "
                     "would run the whole sweep");
#endif
}

Ranks::~Ranks() {
#ifdef WOW_HAVE_MPI
  if (started_) MPI_Finalize();
#endif
}

std::string Ranks::broadcast(const std::string& text) const {
#ifdef WOW_HAVE_MPI
  if (started_ && size_ > 1) {
    unsigned long long n = text.size();
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    std::string out = rank_ == 0 ? text : std::string(n, '\0');
    MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
    return out;
  }
#endif
  return text;
}

void Ranks::wait_for_all() const {
#ifdef WOW_HAVE_MPI
  if (started_ && size_ > 1) {
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    int done = 0;
    while (true) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
#endif
}

std::vector<std::string> Ranks::gather(const std::string& text) const {
#ifdef WOW_HAVE_MPI
  if (started_ && size_ > 1) {
    const int n = static_cast<int>(text.size());
    std::vector<int> sizes(rank_ == 0 ? size_ : 0), offsets(rank_ == 0 ? size_ : 0);
    MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all;
    if (rank_ == 0) {
      int total = 0;
      for (int r = 0; r < size_; ++r) {
        offsets[r] = total;
        total += sizes[r];
      }
      all.resize(static_cast<std::size_t>(total));
    }
    MPI_Gatherv(text.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    std::vector<std::string> out;
    if (rank_ == 0)
      for (int r = 0; r < size_; ++r) out.push_back(all.substr(offsets[r], sizes[r]));
    return out;
  }
#endif
  return {text};
}

}  // namespace wow::cli
