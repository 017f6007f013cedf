#include "common/transport/curve_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "common/errors/error.h"

namespace tidemark {

namespace {

// The first line that is neither empty nor a comment, trimmed.
std::string readKeyLine(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    return line;
  }
  throw ConfigError(path + ": no key in the file");
}

void writeFile(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno) +
                             (errno == EEXIST ? " (refusing to overwrite a key)" : ""));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  int error = errno;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
}

}  // namespace

bool isValidZ85Key(const std::string& key) {
  if (key.size() != 40) return false;
  uint8_t decoded[32];
  return zmq_z85_decode(decoded, key.c_str()) != nullptr;
}

CurveKeyPair generateCurveKeyPair() {
  char public_key[41] = {};
  char secret_key[41] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    throw std::runtime_error(std::string("cannot generate a CURVE key pair: ") +
                             zmq_strerror(zmq_errno()) + " (libzmq built without CURVE?)");
  }
  return {public_key, secret_key};
}

void writeCurveKeyPair(const std::string& prefix, const CurveKeyPair& pair) {
  writeFile(prefix + ".key",
            "# Tidemark CurveZMQ secret key: keep it private (mode 0600)\n" + pair.secret_key + "\n",
            0600);
  writeFile(prefix + ".pub", "# Tidemark CurveZMQ public key\n" + pair.public_key + "\n", 0644);
}

CurveKeyPair readCurveSecretKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ConfigError(path + ": cannot read the secret key: " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    throw ConfigError(path + ": secret key is readable by group or others (mode " + mode +
                      "); run chmod 600 " + path);
  }
  CurveKeyPair pair;
  pair.secret_key = readKeyLine(path);
  if (!isValidZ85Key(pair.secret_key)) {
    throw ConfigError(path + ": not a CURVE secret key (expected 40 Z85 characters)");
  }
  char public_key[41] = {};
  if (zmq_curve_public(public_key, pair.secret_key.c_str()) != 0) {
    throw ConfigError(path + ": cannot derive the public key: " + zmq_strerror(zmq_errno()));
  }
  pair.public_key = public_key;
  return pair;
}

std::string readCurvePublicKeyFile(const std::string& path) {
  std::string key = readKeyLine(path);
  if (!isValidZ85Key(key)) {
    throw ConfigError(path + ": not a CURVE public key (expected 40 Z85 characters)");
  }
  return key;
}

}  // namespace tidemark
