#include "controller/cli/import_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include "common/transport/admin_client.h"
#include "controller/cli/send_pipeline.h"
#include "controller/cli/table.h"

namespace tidemark::cli {

namespace {

// The whole file as one read-only mapping: the parser's views point into it, and the
// second pass costs no copy.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot stat " + path + ": " + std::strerror(error));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      int error = errno;
      ::close(fd);
      if (data == MAP_FAILED) {
        throw std::runtime_error("cannot map " + path + " (" + std::to_string(size_) +
                                 " bytes): " + std::strerror(error));
      }
      data_ = static_cast<const char*>(data);
      // Both passes read front to back.
      ::madvise(data, size_, MADV_SEQUENTIAL);
    } else {
      ::close(fd);
    }
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view text() const { return {data_ == nullptr ? "" : data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

int runImportOpenMetrics(const std::string& path, const ImportOptions& options,
                         const std::string& socket_path, std::chrono::milliseconds timeout,
                         bool dry_run, std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  // Requests (4 MiB messages and their frames) are allocated and freed over and over:
  // kept in the heap and reused rather than mapped and unmapped each time (a fresh
  // mapping faults in every page, and unmapping in a threaded process shoots down TLBs).
  ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  std::unique_ptr<MappedFile> file;
  try {
    file = std::make_unique<MappedFile>(path);
  } catch (const std::exception& e) {
    err << "tidemark: " << e.what() << "\n";
    return 1;
  }
  ImportPlan plan = planImport(file->text(), options);
  if (plan.error_count > 0) {
    for (const auto& error : plan.errors) {
      err << path << ":" << error.line << ": " << error.reason << "\n";
    }
    err << "tidemark: " << path << ": " << plan.error_count << " malformed line"
        << (plan.error_count == 1 ? "" : "s");
    if (plan.error_count > plan.errors.size())
      err << " (the first " << plan.errors.size() << " shown)";
    err << "; nothing imported\n";
    return 1;
  }
  if (!plan.saw_eof) {
    err << "tidemark: warning: " << path << " has no # EOF line; it may have been cut short\n";
  }
  if (dry_run) {
    out << fmt::format("{} is valid: {} samples in {} series for {} hosts\n", path,
                       groupDigits(plan.samples), groupDigits(plan.series.size()),
                       groupDigits(plan.hosts));
    return 0;
  }

  // Counted on the sender thread, read here after the pipeline has finished or failed.
  uint64_t stored = 0;
  try {
    AdminClient client(socket_path, timeout);
    SendPipeline pipeline([&](capnp::MallocMessageBuilder& message) {
      client.call(message, [&](auto response) { stored += response.getImported().getSamples(); });
    });
    sendImport(file->text(), plan, options, [&](const ImportChunk& chunk) {
      // One segment sized for the samples (16 bytes each, plus the series' names).
      const auto words = static_cast<unsigned>(chunk.samples * 2 + chunk.pieces.size() * 64 + 64);
      auto message = std::make_unique<capnp::MallocMessageBuilder>(words);
      fillImportRequest(plan, chunk, message->initRoot<schema::AdminRequest>().initImportSamples());
      pipeline.push(std::move(message));
    });
    pipeline.finish();
  } catch (const std::exception& e) {
    err << "tidemark: import of " << path << " stopped after " << stored
        << " samples were stored: " << e.what()
        << "\n(running the same import again is safe: a sample is keyed by series and time)\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << fmt::format(
      "imported {} samples in {} series for {} hosts in {:.1f} s ({} samples/s)\n", stored,
      plan.series.size(), plan.hosts, seconds,
      static_cast<uint64_t>(seconds > 0 ? static_cast<double>(stored) / seconds : 0));
  return 0;
}

}  // namespace tidemark::cli
