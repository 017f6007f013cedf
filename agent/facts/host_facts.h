// Slowly changing facts about the host, sent in Hello: kernel, CPU model and
// count, memory, boot id. Read through the FileReader, so tests use fixtures.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agent/io/file_reader.h"

namespace tidemark::agent {

using Facts = std::vector<std::pair<std::string, std::string>>;

// Missing sources are left out; never throws.
Facts readHostFacts(FileReader& reader);

// /proc/sys/kernel/random/boot_id without the newline; empty when unreadable.
std::string readBootId(FileReader& reader);

}  // namespace tidemark::agent
