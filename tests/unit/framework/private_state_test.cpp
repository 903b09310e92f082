#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cppvider/framework/private_state.hpp"
#include "scoped_env.hpp"

namespace {

namespace fw = cppvider::framework;
using namespace std::string_literals;
using namespace std::string_view_literals;

constexpr std::string_view secret_a = "correct horse battery staple 42";
constexpr std::string_view secret_b = "an entirely different secret 99";

fw::private_state_codec codec(std::string_view secret,
                              std::optional<std::string> previous = std::nullopt) {
  fw::diagnostics d;
  auto c = fw::private_state_codec::with_secret(std::string(secret), std::move(previous), d);
  EXPECT_TRUE(c.has_value()) << d.to_string();
  EXPECT_TRUE(d.empty()) << d.to_string();
  return c.value_or(fw::private_state_codec::unencrypted());
}

fw::private_state sample() {
  fw::private_state s;
  s.set("etag", "W/\"17\"");
  s.set("empty", "");
  s.set("binary", "\0\x01\xff\0tail"s);
  s.set("key\0with nul"s, "v");
  s.set("long", std::string(300, 'x'));  // two-byte size varint
  return s;
}

// Exactly one error whose summary contains `summary`; the state given back is empty.
void expect_error(const fw::private_state& got, const fw::diagnostics& d,
                  std::string_view summary) {
  EXPECT_TRUE(got.empty());
  ASSERT_EQ(d.size(), 1U) << d.to_string();
  EXPECT_EQ(d[0].severity, fw::severity::error);
  EXPECT_NE(d[0].summary.find(summary), std::string::npos) << d.to_string();
}

std::string key_id(std::string_view sealed) { return std::string(sealed.substr(1, 4)); }

using cppvider::test_support::scoped_env;

TEST(private_state_test, map_operations) {
  fw::private_state s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.get("a"), std::nullopt);
  s.set("b", "2");
  s.set("a", "1");
  s.set("a", "one");
  EXPECT_EQ(s.size(), 2U);
  EXPECT_EQ(s.get("a"), "one");
  EXPECT_TRUE(s.contains("b"));
  EXPECT_EQ(s.begin()->first, "a");  // ordered
  s.erase("a");
  s.erase("missing");
  EXPECT_EQ(s.size(), 1U);
  EXPECT_FALSE(s.contains("a"));
}

TEST(private_state_test, round_trips_encrypted_and_plain) {
  for (const auto& c : {codec(secret_a), fw::private_state_codec::unencrypted()}) {
    const auto s = sample();
    const auto sealed = c.seal(s);
    ASSERT_FALSE(sealed.empty());
    EXPECT_EQ(static_cast<unsigned char>(sealed[0]), c.encrypts() ? 0x02 : 0x01);
    fw::diagnostics d;
    const auto back = c.open(sealed, d);
    EXPECT_TRUE(d.empty()) << d.to_string();
    EXPECT_EQ(back, s);
    EXPECT_EQ(back.get("empty"), "");
    EXPECT_EQ(back.get("binary"), "\0\x01\xff\0tail"s);
    EXPECT_EQ(back.get("key\0with nul"s), "v");
    EXPECT_EQ(back.get("key"), std::nullopt);
  }
}

TEST(private_state_test, encrypted_form_hides_the_values) {
  const auto sealed = codec(secret_a).seal(sample());
  EXPECT_EQ(sealed.find("W/\"17\""), std::string::npos);
  EXPECT_EQ(sealed.find("etag"), std::string::npos);
  EXPECT_EQ(sealed.find(std::string(300, 'x').substr(0, 32)), std::string::npos);
}

TEST(private_state_test, empty_state_is_empty_bytes) {
  for (const auto& c : {codec(secret_a), fw::private_state_codec::unencrypted()}) {
    EXPECT_EQ(c.seal({}), "");
    fw::diagnostics d;
    EXPECT_TRUE(c.open("", d).empty());
    EXPECT_TRUE(d.empty());
  }
}

TEST(private_state_test, large_value_round_trips) {
  fw::private_state s;
  std::string big(200'000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  s.set("big", big);
  const auto c = codec(secret_a);
  fw::diagnostics d;
  EXPECT_EQ(c.open(c.seal(s), d).get("big"), big);
  EXPECT_TRUE(d.empty()) << d.to_string();
}

TEST(private_state_test, plain_format_is_as_documented) {
  fw::private_state s;
  s.set("b", "");
  s.set("a", "xy");
  EXPECT_EQ(fw::private_state_codec::unencrypted().seal(s),
            "\x01\x02\x01"
            "a\x02xy\x01"
            "b\x00"sv);
}

// Sealed independently (Python: HKDF from hmac/hashlib, AESGCM from `cryptography`) with nonce
// 00..0b: pins the key derivation and layout, so state written today opens after any refactor.
TEST(private_state_test, opens_a_known_answer_vector) {
  constexpr auto vector =
      "\x02\xd9\xa5\x16\x75\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\xb4\x39\x82\x7e\x09"
      "\xca\xd4\x29\x71\xd7\x81\x2b\x1e\x22\x63\xc3\xf3\xfb\x30\x1e\x4d\x11\x48\xcf\xe9\xaf\xc2"
      "\xc6\xc6\x0c\xc0\x40\xb4\x17\x6c"sv;
  const auto c = codec(secret_a);
  fw::diagnostics d;
  const auto s = c.open(vector, d);
  ASSERT_TRUE(d.empty()) << d.to_string();
  EXPECT_EQ(s.size(), 2U);
  EXPECT_EQ(s.get("etag"), "W/\"1\"");
  EXPECT_EQ(s.get("id"), "a\0b"s);
  EXPECT_EQ(key_id(c.seal(s)), "\xd9\xa5\x16\x75");
}

TEST(private_state_test, each_seal_uses_a_fresh_nonce) {
  const auto c = codec(secret_a);
  const auto s = sample();
  const auto one = c.seal(s);
  const auto two = c.seal(s);
  EXPECT_NE(one, two);
  EXPECT_NE(one.substr(5, 12), two.substr(5, 12));
  EXPECT_EQ(one.size(), two.size());
  fw::diagnostics d;
  EXPECT_EQ(c.open(one, d), s);
  EXPECT_EQ(c.open(two, d), s);
  EXPECT_TRUE(d.empty()) << d.to_string();
}

TEST(private_state_test, tampering_with_any_region_is_an_error) {
  const auto c = codec(secret_a);
  fw::private_state s;
  s.set("etag", "abc");
  const auto sealed = c.seal(s);
  // marker | key id (4) | nonce (12) | ciphertext | tag (16)
  ASSERT_EQ(sealed.size(), 1 + 4 + 12 + 10 + 16U);  // payload: 1 (count) + 1 + 4 + 1 + 3
  struct region {
    const char* name;
    std::size_t at;
    std::string_view summary;
  };
  const region regions[] = {
      {"marker", 0, "unknown format"},
      {"key id", 2, "different key"},
      {"nonce", 10, "failed authentication"},
      {"ciphertext", 20, "failed authentication"},
      {"tag", sealed.size() - 3, "failed authentication"},
  };
  for (const auto& r : regions) {
    SCOPED_TRACE(r.name);
    auto bad = sealed;
    bad[r.at] = static_cast<char>(bad[r.at] ^ 0x04);
    fw::diagnostics d;
    expect_error(c.open(bad, d), d, r.summary);
  }
  // And every single bit, anywhere.
  for (std::size_t i = 0; i < sealed.size() * 8; ++i) {
    auto bad = sealed;
    bad[i / 8] = static_cast<char>(bad[i / 8] ^ (1 << (i % 8)));
    fw::diagnostics d;
    const auto got = c.open(bad, d);
    EXPECT_TRUE(got.empty()) << "bit " << i;
    EXPECT_EQ(d.error_count(), 1U) << "bit " << i;
  }
}

TEST(private_state_test, wrong_key_is_named) {
  const auto sealed = codec(secret_a).seal(sample());
  fw::diagnostics d;
  expect_error(codec(secret_b).open(sealed, d), d, "sealed with a different key");
  EXPECT_NE(d[0].detail.find("CPPVIDER_PRIVATE_STATE_SECRET "), std::string::npos) << d[0].detail;
  EXPECT_NE(d[0].detail.find("CPPVIDER_PRIVATE_STATE_SECRET_PREVIOUS"), std::string::npos);
}

TEST(private_state_test, previous_key_opens_and_reseal_uses_current) {
  const auto old_codec = codec(secret_a);
  const auto rotating = codec(secret_b, std::string(secret_a));
  const auto new_codec = codec(secret_b);
  const auto s = sample();
  const auto old_sealed = old_codec.seal(s);

  fw::diagnostics d;
  EXPECT_EQ(rotating.open(old_sealed, d), s);
  EXPECT_TRUE(d.empty()) << d.to_string();

  const auto resealed = rotating.seal(s);
  EXPECT_EQ(key_id(resealed), key_id(new_codec.seal(s)));
  EXPECT_NE(key_id(resealed), key_id(old_sealed));
  EXPECT_EQ(new_codec.open(resealed, d), s);
  EXPECT_TRUE(d.empty()) << d.to_string();
  expect_error(old_codec.open(resealed, d), d, "sealed with a different key");
}

TEST(private_state_test, plain_data_is_accepted_with_a_secret_and_resealed_encrypted) {
  const auto s = sample();
  const auto plain = fw::private_state_codec::unencrypted().seal(s);
  const auto c = codec(secret_a);
  fw::diagnostics d;
  const auto back = c.open(plain, d);
  EXPECT_TRUE(d.empty()) << d.to_string();
  EXPECT_EQ(back, s);
  EXPECT_EQ(c.seal(back)[0], '\x02');
}

TEST(private_state_test, encrypted_data_without_a_secret_is_an_error) {
  const auto sealed = codec(secret_a).seal(sample());
  fw::diagnostics d;
  expect_error(fw::private_state_codec::unencrypted().open(sealed, d), d, "no secret is set");
  EXPECT_NE(d[0].detail.find("CPPVIDER_PRIVATE_STATE_SECRET"), std::string::npos);
}

TEST(private_state_test, unknown_marker_is_an_error) {
  fw::diagnostics d;
  expect_error(codec(secret_a).open(R"({"schema_version":"1"})", d), d, "unknown format");
  EXPECT_NE(d[0].detail.find("0x7b"), std::string::npos) << d[0].detail;
}

TEST(private_state_test, truncation_at_every_length_is_an_error) {
  for (const auto& c : {codec(secret_a), fw::private_state_codec::unencrypted()}) {
    const auto sealed = c.seal(sample());
    for (std::size_t n = 1; n < sealed.size(); ++n) {
      fw::diagnostics d;
      const auto got = c.open(std::string_view(sealed).substr(0, n), d);
      EXPECT_TRUE(got.empty()) << n;
      EXPECT_EQ(d.error_count(), 1U) << (c.encrypts() ? "encrypted " : "plain ") << n;
    }
    fw::diagnostics d;
    EXPECT_TRUE(c.open(std::string_view(sealed).substr(0, 0), d).empty());  // no private state
    EXPECT_TRUE(d.empty());
  }
}

TEST(private_state_test, malformed_plain_payloads_are_errors) {
  const auto c = fw::private_state_codec::unencrypted();
  const std::string_view cases[] = {
      "\x01"sv,                                                  // no count
      "\x01\x80"sv,                                              // count cut short
      "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"sv,          // count beyond 64 bits
      "\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x01\x61\x00"sv,  // huge count, few bytes
      "\x01\x01\x05"
      "ab\x00"sv,  // key longer than the rest
      "\x01\x01\x01"
      "a\xff\xff\xff\xff\x0f"
      "x"sv,  // value size 4 GiB
      "\x01\x01\x01"
      "a"sv,  // value missing
      "\x01\x02\x01"
      "a\x00\x01"
      "a\x00"sv,  // duplicate key
      "\x01\x01\x01"
      "a\x00"
      "junk"sv,          // stray bytes
      "\x01\x00\x00"sv,  // stray byte after zero count
  };
  for (const auto bytes : cases) {
    fw::diagnostics d;
    expect_error(c.open(bytes, d), d, "malformed");
  }
  // A zero count is a valid (empty) state even though seal never writes it.
  fw::diagnostics d;
  EXPECT_TRUE(c.open("\x01\x00"sv, d).empty());
  EXPECT_TRUE(d.empty()) << d.to_string();
}

TEST(private_state_test, random_bytes_never_crash) {
  std::mt19937 rng(12345);
  const auto c = codec(secret_a);
  for (int i = 0; i < 20'000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    if (!bytes.empty()) bytes[0] = static_cast<char>(1 + rng() % 2);
    fw::diagnostics d;
    const auto got = c.open(bytes, d);
    EXPECT_TRUE(d.error_count() <= 1U);
    if (d.has_error()) {
      EXPECT_TRUE(got.empty());
    }
  }
}

TEST(private_state_test, short_secrets_are_rejected_as_values) {
  fw::diagnostics d;
  EXPECT_FALSE(fw::private_state_codec::with_secret(std::string(15, 's'), std::nullopt, d));
  ASSERT_EQ(d.error_count(), 1U);
  EXPECT_NE(d[0].summary.find("too short"), std::string::npos) << d.to_string();
  EXPECT_NE(d[0].detail.find("15 bytes"), std::string::npos) << d.to_string();

  fw::diagnostics d2;
  EXPECT_FALSE(
      fw::private_state_codec::with_secret(std::string(secret_a), std::string("short"), d2));
  ASSERT_EQ(d2.error_count(), 1U);
  EXPECT_NE(d2[0].summary.find("previous"), std::string::npos) << d2.to_string();

  fw::diagnostics d3;
  const auto ok = fw::private_state_codec::with_secret(std::string(16, 's'), std::nullopt, d3);
  ASSERT_TRUE(ok.has_value()) << d3.to_string();
  EXPECT_TRUE(ok->encrypts());
}

TEST(private_state_test, from_environment) {
  const std::string secret_var(fw::private_state_secret_env);
  const std::string previous_var(fw::private_state_previous_secret_env);
  {
    scoped_env a(secret_var, std::nullopt);
    scoped_env b(previous_var, std::nullopt);
    fw::diagnostics d;
    const auto c = fw::private_state_codec::from_environment(d);
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE(c->encrypts());
    EXPECT_TRUE(d.empty());
  }
  {
    scoped_env a(secret_var, std::string(secret_b));
    scoped_env b(previous_var, std::string(secret_a));
    fw::diagnostics d;
    const auto c = fw::private_state_codec::from_environment(d);
    ASSERT_TRUE(c.has_value()) << d.to_string();
    EXPECT_TRUE(c->encrypts());
    const auto sealed = codec(secret_a).seal(sample());
    EXPECT_EQ(c->open(sealed, d), sample());
    EXPECT_EQ(key_id(c->seal(sample())), key_id(codec(secret_b).seal(sample())));
    EXPECT_TRUE(d.empty()) << d.to_string();
  }
  {
    scoped_env a(secret_var, std::string());  // set but empty: refused, not silently plain
    scoped_env b(previous_var, std::nullopt);
    fw::diagnostics d;
    EXPECT_FALSE(fw::private_state_codec::from_environment(d).has_value());
    ASSERT_EQ(d.error_count(), 1U);
    EXPECT_NE(d[0].summary.find(secret_var), std::string::npos) << d.to_string();
  }
  {
    scoped_env a(secret_var, std::nullopt);
    scoped_env b(previous_var, std::string(secret_a));
    fw::diagnostics d;
    EXPECT_FALSE(fw::private_state_codec::from_environment(d).has_value());
    ASSERT_EQ(d.error_count(), 1U);
    EXPECT_NE(d[0].summary.find("without"), std::string::npos) << d.to_string();
  }
}

TEST(private_state_test, concurrent_seal_and_open) {
  const auto c = codec(secret_a, std::string(secret_b));
  const auto from_previous = codec(secret_b).seal(sample());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        fw::private_state s;
        s.set("thread", std::to_string(t));
        s.set("i", std::to_string(i));
        s.set("blob", std::string(static_cast<std::size_t>(i % 97), static_cast<char>(t)));
        fw::diagnostics d;
        if (c.open(c.seal(s), d) != s || c.open(from_previous, d) != sample() || !d.empty()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
