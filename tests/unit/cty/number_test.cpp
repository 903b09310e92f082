#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <cppvider/cty/number.hpp>

namespace {

namespace cty = cppvider::cty;

cty::number parse(std::string_view s) {
  auto n = cty::number::parse(s);
  EXPECT_TRUE(n.ok()) << s;
  return n.value_or(cty::number{});
}

TEST(cty_number, CanonicalRepresentation) {
  EXPECT_TRUE(parse("42").is_int64());
  EXPECT_TRUE(parse("4.2e1").is_int64());
  EXPECT_TRUE(parse("-9223372036854775808").is_int64());
  EXPECT_TRUE(parse("9223372036854775808").is_double());   // 2^63: a double holds it exactly
  EXPECT_TRUE(parse("18446744073709551616").is_double());  // 2^64
  EXPECT_TRUE(parse("9223372036854775809").is_big());
  EXPECT_TRUE(parse("0.5").is_double());
  EXPECT_TRUE(parse("0.1").is_big());  // no binary form
  EXPECT_TRUE(parse("1e400").is_big());
  EXPECT_TRUE(cty::number(1.0).is_int64());
  EXPECT_TRUE(cty::number(-0.0).is_zero());
  EXPECT_TRUE(cty::number(1e300).is_double());
  EXPECT_EQ(parse("1.50"), cty::number(1.5));
  EXPECT_EQ(parse("100e-2"), cty::number(1));
  EXPECT_EQ(cty::number::from_uint64(18446744073709551615ULL).to_string(), "18446744073709551615");
  EXPECT_TRUE(cty::number::from_uint64(9223372036854775808ULL).is_double());
}

TEST(cty_number, ExactTextRoundTrip) {
  for (const char* s :
       {"0", "-1", "0.1", "0.8", "3.1415926535897932384626433832795028841971693993751",
        "9223372036854775809", "-9223372036854775809", "18446744073709551617",
        "123456789.000000001"}) {
    EXPECT_EQ(parse(s).to_string(), s);
  }
  EXPECT_EQ(parse("1e400").to_string(), "1" + std::string(400, '0'));
  EXPECT_EQ(parse("1e-5").to_string(), "0.00001");
  EXPECT_EQ(parse("2.5").to_string(), "2.5");
  EXPECT_EQ(parse("1e100000").to_string(), "1e100000");  // too long for plain digits
  EXPECT_EQ(cty::number::infinity().to_string(), "+Inf");
  // Found by fuzz_cty_json: every accepted number must print as text that parses back.
  for (const char* s : {"1.00401e99999990", "-7e-99999990", "100401e99999000"}) {
    const auto n = parse(s);
    auto back = cty::number::parse(n.to_string());
    ASSERT_TRUE(back.ok()) << n.to_string().substr(0, 80);
    EXPECT_EQ(*back, n);
  }
  EXPECT_FALSE(cty::number::parse("100401e000100000000").ok());  // 10^100000005: out of range
}

TEST(cty_number, ExactConversions) {
  EXPECT_EQ(parse("9223372036854775807").to_int64(), std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(parse("9223372036854775808").to_int64());
  EXPECT_EQ(parse("9223372036854775808").to_uint64(), 9223372036854775808ULL);
  EXPECT_EQ(parse("18446744073709551615").to_uint64(), 18446744073709551615ULL);
  EXPECT_FALSE(parse("18446744073709551616").to_uint64());
  EXPECT_FALSE(parse("-1").to_uint64());
  EXPECT_FALSE(parse("0.1").to_double_exact());
  EXPECT_EQ(parse("0.1").to_double(), 0.1);
  EXPECT_EQ(parse("1e400").to_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse("-1e400").to_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse("1e-400").to_double(), 0.0);
  EXPECT_FALSE(cty::number(std::int64_t{9007199254740993}).to_double_exact());
  EXPECT_EQ(cty::number(std::int64_t{9007199254740992}).to_double_exact(), 9007199254740992.0);
}

TEST(cty_number, Ordering) {
  EXPECT_LT(cty::number(3), cty::number(3.5));
  EXPECT_LT(parse("9223372036854775807"), parse("9223372036854775808"));
  EXPECT_LT(parse("9223372036854775808"), parse("9223372036854775809"));
  EXPECT_LT(parse("0.1"), cty::number(0.1));  // the double is a little above one tenth
  EXPECT_GT(parse("0.2"), cty::number(0.1));
  EXPECT_LT(parse("-1e400"), cty::number(-1e300));
  EXPECT_LT(parse("1e400"), cty::number::infinity());
  EXPECT_GT(parse("-1e400"), cty::number::infinity(true));
  EXPECT_EQ(parse("0.100") <=> parse("0.1"), std::strong_ordering::equal);
  EXPECT_LT(parse("-0.11"), parse("-0.1"));
}

TEST(cty_number, RejectsNonNumbers) {
  for (const char* s :
       {"", "-", "NaN", "nan", "1e", "0x10", " 1", "1 ", "1.2.3", "e5", "--1", "1e999999999999"}) {
    EXPECT_FALSE(cty::number::parse(s).ok()) << s;
  }
  EXPECT_THROW(cty::number(std::nan("")), std::invalid_argument);
}

TEST(cty_number, HashFollowsEquality) {
  EXPECT_EQ(parse("1.0").hash(), cty::number(1).hash());
  EXPECT_EQ(parse("0.10").hash(), parse("0.1").hash());
}

}  // namespace
