// Fuzzes the OpenMetrics/Prometheus text parser behind `tidemark import openmetrics`.
// Nothing may crash; every event must be well formed: errors name a line within the
// input, samples have a valid metric name, label names, and lines in increasing order.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/metrics/series.h"
#include "common/openmetrics/parser.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t total_lines = 1;
  for (char c : text) total_lines += c == '\n';
  for (bool require_timestamp : {true, false}) {
    tidemark::openmetrics::Parser parser(text, {require_timestamp});
    size_t previous_line = 0;
    // Every event consumes at least one line: bounded by the line count.
    for (size_t events = 0; events <= total_lines + 1; ++events) {
      const auto event = parser.next();
      if (event == tidemark::openmetrics::Parser::Event::kEnd) break;
      const size_t line = event == tidemark::openmetrics::Parser::Event::kSample
                              ? parser.sample().line
                              : parser.error().line;
      if (line == 0 || line > total_lines) tidemark::fuzz::finding("an event names a line outside the input");
      if (line <= previous_line) tidemark::fuzz::finding("events went backwards in the input");
      previous_line = line;
      if (event == tidemark::openmetrics::Parser::Event::kError) {
        if (parser.error().reason.empty()) tidemark::fuzz::finding("an error without a reason");
        continue;
      }
      const auto& sample = parser.sample();
      if (!tidemark::isValidMetricName(sample.name)) tidemark::fuzz::finding("a sample with an invalid name");
      size_t value_bytes = 0;
      for (const auto& label : sample.labels) {
        if (!tidemark::isValidLabelName(label.name)) tidemark::fuzz::finding("a label with an invalid name");
        // Touch every byte of every value: ASan then catches views into freed memory.
        for (char c : label.value) value_bytes += static_cast<unsigned char>(c) != 0;
      }
      if (value_bytes > size) tidemark::fuzz::finding("label values longer than the input");
      if (require_timestamp && !sample.timestamp_ms) tidemark::fuzz::finding("a sample without its required timestamp");
      if (events == total_lines + 1) tidemark::fuzz::finding("the parser does not advance");
    }
  }
  return 0;
}
