// Reads an 8-bit RGB or RGBA PNG (what a headless browser's screenshot is) into pixels,
// so a test can tell a rendered page from a blank one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tidemark::testing {

struct RgbImage {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> rgb;  // 3 bytes a pixel, row by row
};

// Throws std::runtime_error naming the path and what is wrong (not a PNG, not 8-bit
// RGB/RGBA, interlaced, a damaged stream).
RgbImage readPng(const std::string& path);

// Pixels whose colour differs from (r, g, b) by more than `tolerance` in any channel.
size_t countPixelsUnlike(const RgbImage& image, uint8_t r, uint8_t g, uint8_t b, int tolerance);
// Pixels within `tolerance` of (r, g, b) in every channel.
size_t countPixelsLike(const RgbImage& image, uint8_t r, uint8_t g, uint8_t b, int tolerance);

}  // namespace tidemark::testing
