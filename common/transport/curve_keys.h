// CurveZMQ key pairs and their files. A key pair is two files: PREFIX.key holds
// the secret key (Z85, mode 0600) and PREFIX.pub the public key (Z85), one line
// each; lines starting with '#' are comments. The public key can always be
// derived from the secret one, so daemons are given only the .key file.
#pragma once

#include <string>

namespace tidemark {

struct CurveKeyPair {
  std::string public_key;  // 40 Z85 characters
  std::string secret_key;  // 40 Z85 characters
};

// A fresh key pair from libzmq (libsodium). Throws std::runtime_error when libzmq
// was built without CURVE.
CurveKeyPair generateCurveKeyPair();

// Writes PREFIX.key (0600, refusing to overwrite) and PREFIX.pub. Throws
// std::runtime_error naming the file.
void writeCurveKeyPair(const std::string& prefix, const CurveKeyPair& pair);

// Reads a secret key file and derives its public key. Throws ConfigError naming the
// file when it is missing, malformed, or readable by group or others.
CurveKeyPair readCurveSecretKeyFile(const std::string& path);

// Reads a public key file. Throws ConfigError naming the file.
std::string readCurvePublicKeyFile(const std::string& path);

// True when `key` is 40 characters of the Z85 alphabet that decode to 32 bytes.
bool isValidZ85Key(const std::string& key);

}  // namespace tidemark
