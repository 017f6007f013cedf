// Numbers, sizes, ratios and ages as operators read them: shared by the CLI's tables
// and the reports.
#pragma once

#include <cstdint>
#include <string>

namespace tidemark {

// 1234567 -> "1,234,567".
std::string groupDigits(uint64_t value);
// A compact value: integers without decimals, else up to 6 significant digits.
std::string formatValue(double value);
// Binary units with three significant digits: "512 B", "1.50 KiB", "734 MiB", "2.00 GiB",
// up to TiB; "-" for NaN or a negative value.
std::string formatBytes(double bytes);
// A ratio as a percentage: "34%", "3.4%", "0.05%" (two significant digits below 10%);
// "-" for NaN.
std::string formatPercent(double ratio);
// "12s ago", "3m ago", "2h ago", "5d ago"; "never" for 0.
std::string formatAgo(int64_t then_ms, int64_t now_ms);

}  // namespace tidemark
