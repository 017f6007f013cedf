#include "tests/support/png_image.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace tidemark::testing {

namespace {

uint32_t bigEndian32(const uint8_t* bytes) {
  return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 | bytes[3];
}

uint8_t paeth(int left, int up, int up_left) {
  const int estimate = left + up - up_left;
  const int to_left = std::abs(estimate - left);
  const int to_up = std::abs(estimate - up);
  const int to_up_left = std::abs(estimate - up_left);
  if (to_left <= to_up && to_left <= to_up_left) return static_cast<uint8_t>(left);
  if (to_up <= to_up_left) return static_cast<uint8_t>(up);
  return static_cast<uint8_t>(up_left);
}

}  // namespace

RgbImage readPng(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot open");
  const std::vector<uint8_t> data{std::istreambuf_iterator<char>(file), {}};
  const auto fail = [&](const std::string& why) { return std::runtime_error(path + ": " + why); };
  static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (data.size() < 8 || std::memcmp(data.data(), kSignature, 8) != 0) throw fail("not a PNG");
  RgbImage image;
  int channels = 0;
  std::vector<uint8_t> compressed;
  for (size_t at = 8; at + 12 <= data.size();) {
    const uint32_t length = bigEndian32(&data[at]);
    if (at + 12 + length > data.size()) throw fail("chunk runs past the end of the file");
    const std::string type(reinterpret_cast<const char*>(&data[at + 4]), 4);
    const uint8_t* body = &data[at + 8];
    if (type == "IHDR") {
      image.width = bigEndian32(body);
      image.height = bigEndian32(body + 4);
      const int depth = body[8], colour = body[9], interlace = body[12];
      if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0)
        throw fail("only 8-bit, non-interlaced RGB or RGBA is read");
      channels = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), body, body + length);
    } else if (type == "IEND") {
      break;
    }
    at += 12 + length;
  }
  if (channels == 0) throw fail("no IHDR chunk");
  const size_t stride = size_t{image.width} * channels;
  std::vector<uint8_t> raw((stride + 1) * image.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, compressed.data(), compressed.size()) != Z_OK ||
      raw_size != raw.size())
    throw fail("damaged image data");
  // Undo the per-row filters (PNG spec, section 9).
  std::vector<uint8_t> previous(stride, 0), row(stride);
  image.rgb.reserve(size_t{image.width} * image.height * 3);
  for (uint32_t y = 0; y < image.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    for (size_t i = 0; i < stride; ++i) {
      const int left = i >= static_cast<size_t>(channels) ? row[i - channels] : 0;
      const int up = previous[i];
      const int up_left = i >= static_cast<size_t>(channels) ? previous[i - channels] : 0;
      int predictor = 0;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) / 2; break;
        case 4: predictor = paeth(left, up, up_left); break;
        default: throw fail("unknown row filter " + std::to_string(filter));
      }
      row[i] = static_cast<uint8_t>(in[i] + predictor);
    }
    for (size_t x = 0; x < image.width; ++x)
      image.rgb.insert(image.rgb.end(), &row[x * channels], &row[x * channels] + 3);
    previous.swap(row);
  }
  return image;
}

size_t countPixelsLike(const RgbImage& image, uint8_t r, uint8_t g, uint8_t b, int tolerance) {
  size_t count = 0;
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    if (std::abs(image.rgb[i] - r) <= tolerance && std::abs(image.rgb[i + 1] - g) <= tolerance &&
        std::abs(image.rgb[i + 2] - b) <= tolerance)
      ++count;
  }
  return count;
}

size_t countPixelsUnlike(const RgbImage& image, uint8_t r, uint8_t g, uint8_t b, int tolerance) {
  return image.rgb.size() / 3 - countPixelsLike(image, r, g, b, tolerance);
}

}  // namespace tidemark::testing
