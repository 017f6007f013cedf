// What a host id may be: the operator's name for a host, unique in the fleet.
#pragma once

#include <string>

namespace tidemark {

// Empty when `host` is a usable host id (1-253 bytes of [A-Za-z0-9._-]), else why not.
std::string checkHostId(const std::string& host);

// `id` when set, else this machine's hostname; checked with checkHostId. Throws
// ConfigError naming `key` (the option that would set it) when neither is usable.
std::string hostIdOrHostname(const std::string& id, const std::string& key);

}  // namespace tidemark
