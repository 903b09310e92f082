// The msgpack decoder builds a tree in one arena whose values borrow from it (see
// src/cty/internal.hpp). These tests keep parts of decoded trees alive after the root is gone,
// share them across threads, and exercise every payload the arena has to keep or free (long
// strings, big numbers, refinements, parsed dynamic types, map keys on the heap), so that ASan,
// LSan and TSan builds check the ownership rules.

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <cppvider/cty/cty.hpp>

namespace {

namespace cty = cppvider::cty;
using cty::type;
using cty::value;
using namespace std::string_literals;

// Evaluated by this file's dynamic initialisation, in whatever order relative to the library's:
// the primitive types are constant-initialised, so they are complete here.
const bool g_primitives_ready_at_static_init = type::string().kind() == cty::type_kind::string &&
                                               type::number().kind() == cty::type_kind::number &&
                                               type::boolean().kind() == cty::type_kind::boolean &&
                                               type::list(type::string()).is_list();

std::string str8(std::string_view s) {
  std::string out = "\xd9";
  out += static_cast<char>(s.size());
  out += s;
  return out;
}

std::string fixstr(std::string_view s) {
  std::string out(1, static_cast<char>(0xa0 | s.size()));
  out += s;
  return out;
}

type item_type() {
  return type::object({{"name", type::string()},
                       {"size", type::number()},
                       {"tags", type::map(type::string())},
                       {"ids", type::set(type::string())}});
}

value item(int i) {
  const std::string long_key(40, static_cast<char>('a' + i % 26));
  return value::object(
      item_type(),
      {{"name", value::string("a name longer than twenty-one bytes #" + std::to_string(i))},
       {"size", value::number(*cty::number::parse(i % 2 == 0 ? "0.1" : "1e400"))},
       {"tags", value::map(type::string(), {{long_key, value::string(std::string(30, 'v'))},
                                            {"short", value::string("s")}})},
       {"ids", value::set(type::string(), {value::string("id-" + std::to_string(i)),
                                           value::string(std::string(25, 'x'))})}});
}

value decode_ok(std::string_view bytes, const type& t) {
  auto v = cty::msgpack::decode(bytes, t);
  EXPECT_TRUE(v.ok()) << v.error().to_string();
  return v.ok() ? *v : value{};
}

TEST(cty_decode_ownership, PrimitiveTypesAreReadyDuringStaticInitialisation) {
  EXPECT_TRUE(g_primitives_ready_at_static_init);
}

TEST(cty_decode_ownership, PartsOutliveTheDecodedTree) {
  const auto t = type::list(item_type());
  std::vector<value> items;
  for (int i = 0; i < 50; ++i) items.push_back(item(i));
  const auto original = value::list(item_type(), items);
  const auto bytes = cty::msgpack::encode(original, t).value();

  auto decoded = decode_ok(bytes, t);
  EXPECT_EQ(decoded, original);
  EXPECT_EQ(decoded.hash(), original.hash());
  value element = decoded[7];
  value name = decoded[8].get_attr("name");
  value size = decoded[9].get_attr("size");
  value tags = decoded[10].get_attr("tags");
  value ids = decoded[11].get_attr("ids");
  decoded = value{};  // the root goes; the arena stays for the parts above

  EXPECT_EQ(element, item(7));
  EXPECT_EQ(name.as_string(), "a name longer than twenty-one bytes #8");
  EXPECT_EQ(size.as_number(), *cty::number::parse("1e400"));
  EXPECT_EQ(tags.find(std::string(40, 'k'))->as_string(), std::string(30, 'v'));
  EXPECT_EQ(ids, item(11).get_attr("ids"));
  // Mixing arena and heap values in new heap values.
  const auto mixed = value::list(item_type(), {element, item(1)});
  element = value{};
  EXPECT_EQ(mixed[0], item(7));
}

TEST(cty_decode_ownership, SharedAcrossThreads) {
  const auto t = type::list(item_type());
  std::vector<value> items;
  for (int i = 0; i < 200; ++i) items.push_back(item(i));
  const auto bytes = cty::msgpack::encode(value::list(item_type(), items), t).value();
  auto decoded = decode_ok(bytes, t);

  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([k, copy = decoded, &failures] {
      for (int round = 0; round < 20; ++round) {
        for (std::size_t i = static_cast<std::size_t>(k); i < copy.length(); i += 4) {
          value e = copy[i];  // copies count on the shared arena from several threads
          if (e.get_attr("name").as_string() !=
              "a name longer than twenty-one bytes #" + std::to_string(i)) {
            ++failures[static_cast<std::size_t>(k)];
          }
        }
      }
    });
  }
  decoded = value{};  // the threads' copies may now be the last ones
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);

  // Decoded on one thread, freed on another.
  auto other = decode_ok(bytes, t);
  std::thread([v = std::move(other)]() mutable { v = value{}; }).join();
}

TEST(cty_decode_ownership, DynamicTypesLiveAsLongAsTheirValues) {
  const auto concrete = type::list(type::object({{"a", type::list(type::string())}}));
  const auto v =
      value::list(concrete.element_type(),
                  {value::object(concrete.element_type(), {}),
                   value::object(concrete.element_type(),
                                 {{"a", value::list(type::string(), {value::string("x")})}})});
  const auto bytes = cty::msgpack::encode(v, type::dynamic()).value();
  value null_of_parsed_type;
  value element;
  {
    auto decoded = decode_ok(bytes, type::dynamic());
    EXPECT_EQ(decoded, v);
    null_of_parsed_type = decoded[0].get_attr("a");
    element = decoded[1];
  }
  EXPECT_TRUE(null_of_parsed_type.is_null());
  EXPECT_EQ(null_of_parsed_type.type(), type::list(type::string()));
  EXPECT_EQ(element.type(), concrete.element_type());
  EXPECT_EQ(element.get_attr("a")[0].as_string(), "x");
}

TEST(cty_decode_ownership, RefinementsAndBigNumbersInTheArena) {
  cty::refinements r;
  r.not_null = true;
  r.lower = cty::number_bound{*cty::number::parse("0.1"), true};
  r.upper = cty::number_bound{*cty::number::parse("1e400"), false};
  const auto v = value::list(type::number(), {value::unknown(type::number(), r),
                                              value::number(*cty::number::parse("0.3"))});
  const auto bytes = cty::msgpack::encode(v, type::list(type::number())).value();
  value unknown;
  value big;
  {
    auto decoded = decode_ok(bytes, type::list(type::number()));
    EXPECT_EQ(decoded, v);
    unknown = decoded[0];
    big = decoded[1];
  }
  ASSERT_NE(unknown.refinement(), nullptr);
  EXPECT_EQ(*unknown.refinement(), r);
  EXPECT_EQ(big.as_number().to_string(), "0.3");
  // A refinement's big bound read at the root, with no arena payload at all.
  const auto root = decode_ok(cty::msgpack::encode(v[0], type::number()).value(), type::number());
  EXPECT_EQ(*root.refinement(), r);
}

TEST(cty_decode_ownership, UnsortedMapKeysOnTheHeap) {
  const std::string a(40, 'a');
  const std::string z(40, 'z');
  const std::string bytes = "\x83" + str8(z) + fixstr("1") + fixstr("m") + fixstr("2") + str8(a) +
                            str8(std::string(33, 'q'));
  auto v = decode_ok(bytes, type::map(type::string()));
  ASSERT_EQ(v.length(), 3U);
  EXPECT_EQ(v.entries()[0].key, a);
  EXPECT_EQ(v.entries()[0].value.as_string(), std::string(33, 'q'));
  EXPECT_EQ(v.entries()[1].key, "m");
  EXPECT_EQ(v.entries()[2].key, z);
  const value kept = v.entries()[2].value;
  v = value{};
  EXPECT_EQ(kept.as_string(), "1");

  // A duplicate found only when sorting, and a failure after long keys were built: the keys'
  // memory goes with the arena (LSan checks).
  const std::string dup =
      "\x83" + str8(z) + fixstr("1") + str8(a) + fixstr("2") + str8(z) + fixstr("3");
  auto d = cty::msgpack::decode(dup, type::map(type::string()));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("duplicate map key"), std::string::npos);
  const std::string cut = "\x92\x81" + str8(z) + fixstr("1") + "\x82" + str8(a) + fixstr("2");
  auto c = cty::msgpack::decode(cut, type::list(type::map(type::string())));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("truncated"), std::string::npos);
}

TEST(cty_decode_ownership, SetsDropDuplicatesAndSort) {
  const std::string long_b(30, 'b');
  const std::string bytes = std::string("\x95") + fixstr("b") + fixstr("a") + fixstr(long_b) +
                            fixstr("b") + fixstr(long_b);
  const auto v = decode_ok(bytes, type::set(type::string()));
  const auto expected =
      value::set(type::string(), {value::string("a"), value::string("b"), value::string(long_b)});
  EXPECT_EQ(v, expected);
  EXPECT_EQ(v.hash(), expected.hash());
  ASSERT_EQ(v.length(), 3U);
  EXPECT_EQ(v[0].as_string(), "a");
  EXPECT_EQ(v[2].as_string(), long_b);

  // Objects keep first-seen order, duplicates dropped (more than eight: the hashed path).
  const auto ot = type::object({{"n", type::number()}});
  std::vector<value> elements;
  for (int i = 0; i < 20; ++i) elements.push_back(value::object(ot, {{"n", value::number(i % 7)}}));
  const auto list_bytes = cty::msgpack::encode(value::list(ot, elements), type::list(ot)).value();
  const auto s = decode_ok(list_bytes, type::set(ot));  // same wire form as a list
  EXPECT_EQ(s, value::set(ot, elements));
  ASSERT_EQ(s.length(), 7U);
  EXPECT_EQ(s[3].get_attr("n").as_number(), cty::number(3));
}

TEST(cty_decode_ownership, ObjectKeysInAnyEncoding) {
  const std::string long_name(40, 'n');
  const auto t = type::object({{"a", type::string()}, {long_name, type::number()}});
  const auto v = value::object(t, {{"a", value::string("x")}, {long_name, value::number(5)}});
  const auto canonical = cty::msgpack::encode(v, t).value();
  EXPECT_EQ(canonical, "\x82" + fixstr("a") + fixstr("x") + str8(long_name) + "\x05");
  EXPECT_EQ(decode_ok(canonical, t), v);
  // str8 for a short key, bin for a long one, in reverse order.
  const std::string odd = "\x82\xc4" + std::string(1, static_cast<char>(long_name.size())) +
                          long_name + "\x05" + str8("a") + fixstr("x");
  EXPECT_EQ(decode_ok(odd, t), v);
  // The same key twice, once canonical and once not.
  const std::string dup = "\x82" + fixstr("a") + fixstr("x") + str8("a") + fixstr("y");
  auto d = cty::msgpack::decode(dup, t);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().path.to_string(), ".a");
  EXPECT_NE(d.error().message.find("duplicate attribute"), std::string::npos);
  // A key that only starts like an attribute's.
  const std::string prefix = "\x81" + fixstr("ab") + fixstr("x");
  auto p = cty::msgpack::decode(prefix, t);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("unsupported attribute \"ab\""), std::string::npos);
  // Missing attributes are null of their type.
  const auto m = decode_ok("\x81" + fixstr("a") + fixstr("x"), t);
  EXPECT_TRUE(m.get_attr(long_name).is_null());
  EXPECT_EQ(m.get_attr(long_name).type(), type::number());
}

TEST(cty_decode_ownership, ScalarFastPathsMatchTheGeneralOnes) {
  // Integral doubles become int64, others stay doubles; -0.0 is 0; 2^63 is not an int64.
  const auto t = type::list(type::number());
  const std::string bytes = "\x95"s + "\xcb\x40\x45\x00\x00\x00\x00\x00\x00"s +
                            "\xcb\x3f\xe0\x00\x00\x00\x00\x00\x00"s +
                            "\xcb\x80\x00\x00\x00\x00\x00\x00\x00"s +
                            "\xcb\x43\xe0\x00\x00\x00\x00\x00\x00"s + "\xcd\x1f\x40"s;
  const auto v = decode_ok(bytes, t);
  EXPECT_EQ(v[0].as_number(), cty::number(42));
  EXPECT_TRUE(v[0].as_number().is_int64());
  EXPECT_FALSE(v[1].as_number().is_int64());
  EXPECT_EQ(v[1].as_number(), cty::number(0.5));
  EXPECT_TRUE(v[2].as_number().is_zero());
  EXPECT_FALSE(v[3].as_number().is_int64());
  EXPECT_EQ(v[3].as_number().to_uint64(), 9223372036854775808ULL);
  EXPECT_EQ(v[4].as_number(), cty::number(8000));
  // Short strings of every length, ASCII and not, through the fixstr path.
  std::vector<value> strings;
  for (std::size_t n = 0; n < 32; ++n) {
    strings.push_back(value::string(std::string(n, static_cast<char>('a' + n % 26))));
  }
  strings.push_back(value::string("\xc3\xa9t\xc3\xa9"));
  const auto st = type::list(type::string());
  const auto sv = value::list(type::string(), strings);
  EXPECT_EQ(decode_ok(cty::msgpack::encode(sv, st).value(), st), sv);
  // Invalid UTF-8 and truncation inside the fast path still report.
  auto bad = cty::msgpack::decode(
      "\x91\xa3"
      "ab\xff",
      st);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().path.to_string(), "[0]");
  EXPECT_NE(bad.error().message.find("invalid UTF-8"), std::string::npos);
  auto cut = cty::msgpack::decode(
      "\x91\xa5"
      "ab",
      st);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("truncated"), std::string::npos);
  auto nan = cty::msgpack::decode("\x91\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"s, t);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("NaN"), std::string::npos);
}

TEST(cty_decode_ownership, EncoderChecksAttributeNamesOfOtherTypes) {
  // The value's object type is a different node with the same names: accepted.
  const auto t1 = type::object({{"a", type::string()}, {"b", type::number()}});
  const auto t2 = type::object({{"a", type::string()}, {"b", type::number()}});
  const auto v = value::list(t1, {value::object(t1, {{"a", value::string("x")}}),
                                  value::object(t1, {{"b", value::number(1)}})});
  EXPECT_TRUE(cty::msgpack::encode(v, type::list(t2)).ok());
  // Different names: refused, however many elements share the type.
  const auto t3 = type::object({{"a", type::string()}, {"c", type::number()}});
  auto bad = cty::msgpack::encode(v, type::list(t3));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("do not match"), std::string::npos);
  const auto t4 = type::object({{"a", type::string()}, {"bb", type::number()}});
  EXPECT_FALSE(cty::msgpack::encode(v, type::list(t4)).ok());
}

TEST(cty_decode_ownership, LargeTreesSpanManyBlocks) {
  // Over a megabyte of payloads: many arena blocks, and element arrays in blocks of their own.
  const auto ot = type::object({{"id", type::string()}, {"n", type::number()}});
  std::vector<value> elements;
  for (int i = 0; i < 20000; ++i) {
    elements.push_back(value::object(
        ot, {{"id", value::string("element-with-a-long-identifier-" + std::to_string(i))},
             {"n", value::number(i * 1000)}}));
  }
  const auto original = value::list(ot, elements);
  const auto bytes = cty::msgpack::encode(original, type::list(ot)).value();
  for (int round = 0; round < 3; ++round) {  // the second and third reuse cached blocks
    const auto v = decode_ok(bytes, type::list(ot));
    EXPECT_EQ(v, original);
    EXPECT_EQ(cty::msgpack::encode(v, type::list(ot)).value(), bytes);
  }
}

}  // namespace
