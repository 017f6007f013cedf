// urbit-standin: plays the Urbit runtime for tests (the real one is not available).
//   urbit-standin make-pier PIER [--epochs N] [--log-bytes N] [--image-bytes N] [--old-style]
//   urbit [--loom N] [-t] [--http-port P] [--rss-mb M] [--old-style-serf] PIER    (the king)
//   urbit work --snap-dir PIER --loom N --snap-time 120                            (4.x serf)
//   urbit serf PIER KEY FLAGS                                                      (2.x serf)
//   urbit pack|meld|roll|chop PIER      offline jobs: take the pier lock (refused, exit 1,
//                                       while a ship holds it); pack and meld shrink
//                                       .urb/chk/image.bin, roll adds an epoch, chop keeps
//                                       the newest two. URBIT_STANDIN_HANG=1 makes a job
//                                       hang (holding the lock) until it is killed.
// Run through a symlink named `urbit` so argv[0] looks like the runtime's.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;
void onStop(int) { g_stop = 1; }

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "urbit-standin: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

void makeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) die("mkdir " + path);
}

// Real bytes (not a sparse file), so st_blocks matches the size as on a real pier.
void writeFile(const std::string& path, size_t bytes, char fill = 'x') {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open " + path);
  std::string chunk(64 * 1024, fill);
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>('a' + (i * 7919) % 26);
  while (bytes > 0) {
    const size_t n = bytes < chunk.size() ? bytes : chunk.size();
    if (::write(fd, chunk.data(), n) != static_cast<ssize_t>(n)) die("write " + path);
    bytes -= n;
  }
  ::close(fd);
}

void writeText(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open " + path);
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    die("write " + path);
  ::close(fd);
}

size_t parseSize(const char* text, const char* flag) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') {
    std::fprintf(stderr, "urbit-standin: %s: \"%s\" is not a number\n", flag, text);
    std::exit(2);
  }
  return static_cast<size_t>(value);
}

int makePier(int argc, char** argv) {
  std::string pier;
  size_t epochs = 1, log_bytes = 64 * 1024, image_bytes = 32 * 1024;
  bool old_style = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--epochs" && i + 1 < argc)
      epochs = parseSize(argv[++i], "--epochs");
    else if (arg == "--log-bytes" && i + 1 < argc)
      log_bytes = parseSize(argv[++i], "--log-bytes");
    else if (arg == "--image-bytes" && i + 1 < argc)
      image_bytes = parseSize(argv[++i], "--image-bytes");
    else if (arg == "--old-style")
      old_style = true;
    else if (pier.empty() && !arg.starts_with("-"))
      pier = arg;
    else {
      std::fprintf(stderr, "urbit-standin make-pier: unexpected argument %s\n", arg.c_str());
      return 2;
    }
  }
  if (pier.empty()) {
    std::fprintf(stderr, "urbit-standin make-pier: PIER is missing\n");
    return 2;
  }
  // Parents too, like `mkdir -p`: tests put piers in folders that do not exist yet.
  for (size_t slash = pier.find('/', 1); slash != std::string::npos;
       slash = pier.find('/', slash + 1))
    makeDir(pier.substr(0, slash));
  makeDir(pier);
  makeDir(pier + "/.urb");
  for (const char* sub : {"/.urb/get", "/.urb/put", "/.urb/log", "/.urb/chk"}) makeDir(pier + sub);
  if (old_style) {
    // 3.x and older: one event log, a two-file snapshot.
    writeFile(pier + "/.urb/log/data.mdb", log_bytes);
    writeFile(pier + "/.urb/log/lock.mdb", 8192);
    writeFile(pier + "/.urb/chk/north.bin", image_bytes / 2);
    writeFile(pier + "/.urb/chk/south.bin", image_bytes - image_bytes / 2);
    return 0;
  }
  // Epochs are named after the event they start at; every one holds a full log slice.
  for (size_t epoch = 0; epoch < epochs; ++epoch) {
    const std::string dir = pier + "/.urb/log/0i" + std::to_string(epoch * 1000);
    makeDir(dir);
    writeFile(dir + "/data.mdb", log_bytes);
    writeFile(dir + "/lock.mdb", 8192);
    writeText(dir + "/epoc.txt", "1\n");
    writeText(dir + "/vere.txt", "4.0-standin\n");
  }
  writeFile(pier + "/.urb/chk/image.bin", image_bytes);
  return 0;
}

int runSerf(int argc, char** argv) {
  size_t rss_mb = 0;
  if (const char* rss = std::getenv("URBIT_STANDIN_RSS_MB"))
    rss_mb = parseSize(rss, "URBIT_STANDIN_RSS_MB");
  (void)argc;
  (void)argv;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() == 1) return 0;  // the king died before we were set up
  std::vector<char> memory(rss_mb << 20);
  for (size_t i = 0; i < memory.size(); i += 4096) memory[i] = 1;
  struct sigaction action {};
  action.sa_handler = onStop;
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  while (!g_stop) ::pause();
  return 0;
}

int runKing(int argc, char** argv) {
  std::string pier, loom = "31", http_port = "8080";
  size_t rss_mb = 0;
  bool old_style_serf = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--loom" && i + 1 < argc)
      loom = argv[++i];
    else if (arg == "--http-port" && i + 1 < argc)
      http_port = argv[++i];
    else if (arg == "--rss-mb" && i + 1 < argc)
      rss_mb = parseSize(argv[++i], "--rss-mb");
    else if (arg == "--old-style-serf")
      old_style_serf = true;
    else if (arg == "-t")
      continue;
    else if (pier.empty() && !arg.starts_with("-"))
      pier = arg;
    else {
      std::fprintf(stderr, "urbit-standin: unexpected argument %s\n", arg.c_str());
      return 2;
    }
  }
  if (pier.empty()) {
    std::fprintf(stderr, "urbit-standin: PIER is missing\n");
    return 2;
  }
  // Block the stop signals until we wait for them, so none is lost in between.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string lock_path = pier + "/.vere.lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
  if (lock_fd < 0) die("open " + lock_path);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(lock_fd, F_SETLK, &lock) != 0) die("lock " + lock_path + " (is the ship running?)");
  const std::string pid_line = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd, 0) != 0 || ::pwrite(lock_fd, pid_line.data(), pid_line.size(), 0) < 0)
    die("write " + lock_path);

  const std::string ports_path = pier + "/.http.ports";
  writeText(ports_path, http_port + " insecure public\n12321 insecure loopback\n");

  const std::string sock_path = pier + "/.urb/conn.sock";
  ::unlink(sock_path.c_str());
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (sock >= 0 && sock_path.size() < sizeof(address.sun_path)) {
    std::memcpy(address.sun_path, sock_path.c_str(), sock_path.size() + 1);
    if (::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) ::listen(sock, 4);
  }

  const pid_t serf = ::fork();
  if (serf < 0) die("fork");
  if (serf == 0) {
    ::sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
    const std::string rss = std::to_string(rss_mb);
    ::setenv("URBIT_STANDIN_RSS_MB", rss.c_str(), 1);
    std::vector<std::string> args = {argv[0]};
    if (old_style_serf) {
      args.insert(args.end(), {"serf", pier, "0:0:0:0", "0"});
    } else {
      args.insert(args.end(), {"work", "--snap-dir", pier, "--loom", loom, "--snap-time", "120"});
    }
    std::vector<char*> raw;
    for (auto& arg : args) raw.push_back(arg.data());
    raw.push_back(nullptr);
    ::execv("/proc/self/exe", raw.data());
    _exit(127);
  }

  int received = 0;
  ::sigwait(&stop_signals, &received);
  ::kill(serf, SIGTERM);
  int status = 0;
  ::waitpid(serf, &status, 0);
  ::unlink(ports_path.c_str());
  if (sock >= 0) {
    ::close(sock);
    ::unlink(sock_path.c_str());
  }
  lock.l_type = F_UNLCK;
  ::fcntl(lock_fd, F_SETLK, &lock);
  ::close(lock_fd);
  return 0;
}

// Epoch folders (.urb/log/0i<N>) by event number, oldest first.
std::vector<unsigned long long> listEpochs(const std::string& log_dir) {
  std::vector<unsigned long long> epochs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("0i") || !entry.is_directory()) continue;
    char* end = nullptr;
    const unsigned long long number = std::strtoull(name.c_str() + 2, &end, 10);
    if (end != nullptr && *end == '\0') epochs.push_back(number);
  }
  std::sort(epochs.begin(), epochs.end());
  return epochs;
}

// Keeps the first `fraction` of a file, as a save after pack or meld trims the image.
void shrinkTo(const std::string& path, double fraction) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) die("stat " + path);
  const off_t kept = static_cast<off_t>(static_cast<double>(info.st_size) * fraction);
  if (::truncate(path.c_str(), kept) != 0) die("truncate " + path);
}

int runOfflineJob(const std::string& job, int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "urbit-standin %s: usage: urbit %s PIER\n", job.c_str(), job.c_str());
    return 2;
  }
  const std::string pier = argv[2];
  const std::string lock_path = pier + "/.vere.lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
  if (lock_fd < 0) die("open " + lock_path);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(lock_fd, F_SETLK, &lock) != 0) {
    struct flock holder {};
    holder.l_type = F_WRLCK;
    holder.l_whence = SEEK_SET;
    ::fcntl(lock_fd, F_GETLK, &holder);
    std::fprintf(stderr, "urbit-standin %s: %s is locked by PID %d: is the ship running?\n",
                 job.c_str(), lock_path.c_str(), static_cast<int>(holder.l_pid));
    return 1;
  }
  if (const char* hang = std::getenv("URBIT_STANDIN_HANG"); hang != nullptr && *hang == '1') {
    while (true) ::pause();
  }
  const std::string log_dir = pier + "/.urb/log";
  if (job == "pack") {
    shrinkTo(pier + "/.urb/chk/image.bin", 0.5);
  } else if (job == "meld") {
    shrinkTo(pier + "/.urb/chk/image.bin", 0.75);
  } else if (job == "roll") {
    const auto epochs = listEpochs(log_dir);
    const unsigned long long next = epochs.empty() ? 0 : epochs.back() + 1000;
    const std::string dir = log_dir + "/0i" + std::to_string(next);
    makeDir(dir);
    writeFile(dir + "/data.mdb", 4096);
    writeFile(dir + "/lock.mdb", 8192);
    writeText(dir + "/epoc.txt", "1\n");
    writeText(dir + "/vere.txt", "4.0-standin\n");
  } else {  // chop
    auto epochs = listEpochs(log_dir);
    for (size_t i = 0; i + 2 < epochs.size(); ++i) {
      std::error_code error;
      std::filesystem::remove_all(log_dir + "/0i" + std::to_string(epochs[i]), error);
      if (error) {
        std::fprintf(stderr, "urbit-standin chop: %s\n", error.message().c_str());
        return 1;
      }
    }
  }
  std::printf("urbit-standin %s: done\n", job.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "make-pier") return makePier(argc, argv);
  if (mode == "work" || mode == "serf") return runSerf(argc, argv);
  if (mode == "pack" || mode == "meld" || mode == "roll" || mode == "chop")
    return runOfflineJob(mode, argc, argv);
  return runKing(argc, argv);
}
