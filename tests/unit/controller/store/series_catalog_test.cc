#include "controller/store/series_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/store/key_codec.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;

TEST(SeriesCatalog, KeysSpanningManyBlocksAndOneBiggerThanABlockStayFindable) {
  SeriesCatalog catalog;
  std::vector<std::string> keys;
  // 600 keys of ~5 KB fill several 1 MiB blocks; key 300 alone is larger than a block.
  for (uint64_t id = 1; id <= 600; ++id) {
    const std::string value(id == 300 ? (3u << 20) : 5000, static_cast<char>('a' + id % 26));
    keys.push_back(keys::seriesKey("host-" + std::to_string(id % 7), "m",
                                   {{"i", std::to_string(id)}, {"pad", value}}));
    catalog.add(id, keys.back());
  }
  catalog.add(601, keys[0]);  // a known key: ignored
  EXPECT_EQ(catalog.size(), 600u);
  EXPECT_EQ(catalog.maxId(), 600u);
  for (uint64_t id = 1; id <= 600; ++id) {
    ASSERT_EQ(catalog.find(keys[id - 1]), id);
    SeriesDescription description;
    ASSERT_TRUE(catalog.describe(id, description));
    EXPECT_EQ(description.host, "host-" + std::to_string(id % 7));
    ASSERT_EQ(description.labels.size(), 2u);
    EXPECT_EQ(description.labels[0].value, std::to_string(id));
    EXPECT_EQ(description.labels[1].value.size(), id == 300 ? (3u << 20) : 5000u);
  }
  EXPECT_FALSE(catalog.find(keys::seriesKey("host-1", "m", {})));
  SeriesDescription unknown;
  EXPECT_FALSE(catalog.describe(601, unknown));
}

TEST(SeriesCatalog, DescribeEachVisitsKnownIdsInTheGivenOrder) {
  SeriesCatalog catalog;
  catalog.add(1, keys::seriesKey("a", "m", {{"k", "1"}}));
  catalog.add(2, keys::seriesKey("b", "m", {{"k", "2"}}));
  catalog.add(4, keys::seriesKey("c", "n", {}));
  EXPECT_THAT(catalog.select("m", ""), ElementsAre(1, 2));
  EXPECT_THAT(catalog.select("m", "b"), ElementsAre(2));
  std::vector<std::string> seen;
  catalog.describeEach({4, 3, 2, 1}, [&](SeriesDescription& d) {
    seen.push_back(std::to_string(d.id) + ":" + d.host + "/" + d.metric +
                   (d.labels.empty() ? "" : "/" + d.labels[0].value));
    d.host.clear();  // visitors may take the strings
  });
  EXPECT_THAT(seen, ElementsAre("4:c/n", "2:b/m/2", "1:a/m/1"));
}

}  // namespace
}  // namespace tidemark::controller
