// The CLI's read commands: each turns an admin reply into a table or JSON.
// Rendering is separate from the socket so output is tested on fixed replies.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "schemas/admin.capnp.h"

namespace tidemark::cli {

struct QueryArguments {
  std::string metric;
  std::string host;
  std::vector<std::string> labels;  // "k=v", "k!=v", "k=~re", "k!~re"
  std::string since = "1h";
  std::string until = "now";
  uint32_t limit = 0;
  std::string step;         // duration; empty: raw samples
  std::string aggregation;  // min, max, avg, sum, last, count (with --step; default avg)
  bool last = false;        // only the newest sample of each series
};

// Fills the request from the arguments; throws std::invalid_argument with a
// user-facing message for a bad label matcher or time.
void buildQueryRequest(const QueryArguments& arguments, int64_t now_ms,
                       schema::QueryRequest::Builder request);

nlohmann::json statusJson(schema::StatusReply::Reader status);
std::string statusText(schema::StatusReply::Reader status);

nlohmann::json hostsJson(capnp::List<schema::HostInfo>::Reader hosts);
std::string hostsText(capnp::List<schema::HostInfo>::Reader hosts, int64_t now_ms);

nlohmann::json agentsJson(capnp::List<schema::AgentKeyInfo>::Reader agents);
std::string agentsText(capnp::List<schema::AgentKeyInfo>::Reader agents, int64_t now_ms);

nlohmann::json queryJson(capnp::List<schema::SeriesData>::Reader series);
std::string queryText(capnp::List<schema::SeriesData>::Reader series);

}  // namespace tidemark::cli
