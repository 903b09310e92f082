// Provider-defined functions: signatures deduced from C++, calls as Terraform makes them
// (msgpack arguments by parameter type), errors that name their argument.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cppvider/cty/convert.hpp"
#include "cppvider/cty/msgpack.hpp"
#include "cppvider/cty/type_json.hpp"
#include "cppvider/framework/provider.hpp"
#include "cppvider/runtime/time.hpp"
#include "cppvider/testing/harness.hpp"

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;
namespace rt = cppvider::runtime;

namespace function_test {

struct point {
  std::int64_t x = 0;
  std::int64_t y = 0;
};
constexpr auto cty_fields(std::type_identity<point>) {
  return std::tuple{cty::field("x", &point::x), cty::field("y", &point::y)};
}

class functions : public ::testing::Test {
 protected:
  functions() {
    p.add_function(fw::function("repeat",
                                [](const std::string& s, std::int64_t n) {
                                  if (n < 0) throw fw::function_error(1, "n must not be negative");
                                  std::string out;
                                  for (std::int64_t i = 0; i < n; ++i) out += s;
                                  return out;
                                })
                       .summary("Repeats a string")
                       .description("Concatenates n copies.")
                       .parameter("text", {.description = "What to repeat"})
                       .parameter("n", {.description = "How often"}));
    p.add_function(fw::function("sum", [](const fw::variadic<double>& xs) {
                     double total = 0;
                     for (double x : xs.values) total += x;
                     return total;
                   }).parameter("numbers"));
    p.add_function(fw::function("or_default", [](const std::optional<std::string>& s) {
                     return s.value_or("default");
                   }).parameter("maybe"));
    p.add_function(fw::function("mirror", [](const point& pt) {
                     return point{pt.y, pt.x};
                   }).parameter("point"));
    p.add_function(fw::function("type_of", [](const cty::value& v) {
                     return cty::type_to_json(v.type());
                   }).parameter("value", {.allow_unknown = true}));
    p.add_function(fw::function("boom", [](std::int64_t) -> std::int64_t {
                     throw std::runtime_error("kaput");
                   }).parameter("x"));
    p.add_function(fw::function("later", [](std::int64_t x) -> rt::task<std::int64_t> {
                     co_await rt::sleep_for(std::chrono::milliseconds(1));
                     co_return x * 2;
                   }).parameter("x"));
    p.add_function(fw::function("keys", [](const std::map<std::string, std::int64_t>& m) {
                     std::vector<std::string> out;
                     for (const auto& [k, v] : m) out.push_back(k);
                     return out;
                   }).parameter("map"));
  }
  fw::provider<> p{"fn"};
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
};

TEST_F(functions, SignaturesComeFromTheCppTypes) {
  const auto fns = h.provider_schema().functions;
  ASSERT_EQ(fns.size(), 8U);
  const auto& repeat = fns.at("repeat");
  ASSERT_EQ(repeat.parameters.size(), 2U);
  EXPECT_EQ(repeat.parameters[0].name, "text");
  EXPECT_EQ(repeat.parameters[0].type_json, R"("string")");
  EXPECT_EQ(repeat.parameters[0].description, "What to repeat");
  EXPECT_FALSE(repeat.parameters[0].allow_null_value);
  EXPECT_EQ(repeat.parameters[1].type_json, R"("number")");
  EXPECT_EQ(repeat.return_type_json, R"("string")");
  EXPECT_EQ(repeat.summary, "Repeats a string");
  EXPECT_FALSE(repeat.variadic_parameter.has_value());

  const auto& sum = fns.at("sum");
  EXPECT_TRUE(sum.parameters.empty());
  ASSERT_TRUE(sum.variadic_parameter.has_value());
  EXPECT_EQ(sum.variadic_parameter->name, "numbers");
  EXPECT_EQ(sum.variadic_parameter->type_json, R"("number")");

  EXPECT_TRUE(fns.at("or_default").parameters[0].allow_null_value);
  EXPECT_EQ(fns.at("mirror").parameters[0].type_json, R"(["object",{"x":"number","y":"number"}])");
  EXPECT_EQ(fns.at("type_of").parameters[0].type_json, R"("dynamic")");
  EXPECT_TRUE(fns.at("type_of").parameters[0].allow_unknown_values);
  EXPECT_EQ(fns.at("keys").return_type_json, R"(["list","string"])");

  // GetFunctions answers the same, and GetMetadata lists the names.
  const auto meta = h.metadata();
  EXPECT_EQ(meta.functions.size(), 8U);
}

TEST_F(functions, CallsConvertArgumentsAndResults) {
  auto r = h.call_function("repeat", {cty::value::string("ab"), cty::to_value(3)});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.value, cty::value::string("ababab"));

  r = h.call_function("sum", {cty::to_value(1.5), cty::to_value(2), cty::to_value(3)});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(*cty::from_value<double>(r.value, {}), 6.5);
  r = h.call_function("sum", {});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(*cty::from_value<double>(r.value, {}), 0.0);

  r = h.call_function("or_default", {cty::value::null(cty::type::string())});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.value, cty::value::string("default"));

  r = h.call_function("mirror", {cty::to_value(point{1, 2})});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(cty::from_value<point>(r.value, {})->x, 2);

  r = h.call_function("keys",
                      {cty::to_value(std::map<std::string, std::int64_t>{{"b", 1}, {"a", 2}})});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(*cty::from_value<std::vector<std::string>>(r.value, {}),
            (std::vector<std::string>{"a", "b"}));

  r = h.call_function("later", {cty::to_value(21)});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(*cty::from_value<std::int64_t>(r.value, {}), 42);
}

TEST_F(functions, DynamicParametersSeeTheValueAndUnknowns) {
  auto r = h.call_function("type_of", {cty::to_value(std::vector<std::string>{"x"})});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.value, cty::value::string(R"(["list","string"])"));
  r = h.call_function("type_of", {cty::value::unknown(cty::type::number())});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_EQ(r.value, cty::value::string(R"("number")"));
}

TEST_F(functions, ErrorsNameTheArgument) {
  auto r = h.call_function("repeat", {cty::value::string("ab"), cty::to_value(-1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error, "n must not be negative");
  EXPECT_EQ(r.argument, 1);

  // 2.5 does not fit the int64 parameter: a conversion error blames argument 1.
  r = h.call_function("repeat", {cty::value::string("ab"), cty::to_value(2.5)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.argument, 1);
  EXPECT_NE(r.error->find("parameter \"n\""), std::string::npos) << *r.error;

  r = h.call_function("repeat", {cty::value::null(cty::type::string()), cty::to_value(1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.argument, 0);
  EXPECT_NE(r.error->find("must not be null"), std::string::npos) << *r.error;
}

TEST_F(functions, WrongArgumentCountsAndUnknownNamesAreErrors) {
  auto r = h.call_function("repeat", {cty::value::string("ab")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->find("takes 2 arguments, got 1"), std::string::npos) << *r.error;
  r = h.call_function("repeat",
                      {cty::value::string("a"), cty::to_value(1), cty::value::string("extra")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->find("takes 2 arguments, got 3"), std::string::npos) << *r.error;

  cppvider::plugin::call_function_request req;
  req.name = "nope";
  bool answered = false;
  struct sink final
      : cppvider::plugin::detail::completion<cppvider::plugin::call_function_response> {
    bool* answered;
    explicit sink(bool* a) : answered(a) {}
    void complete(cppvider::plugin::call_function_response&& r) noexcept override {
      *answered =
          r.error.has_value() && r.error->text.find("no function named") != std::string::npos;
    }
  };
  p.call_function({.rpc = "CallFunction"}, std::move(req),
                  cppvider::plugin::responder<cppvider::plugin::call_function_response>(
                      std::make_shared<sink>(&answered)));
  EXPECT_TRUE(answered);
}

TEST_F(functions, AnExceptionBecomesAnErrorAndUnknownArgumentsGiveUnknown) {
  auto r = h.call_function("boom", {cty::to_value(1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*r.error, "Unexpected error in function boom: kaput");
  EXPECT_FALSE(r.argument.has_value());

  // A parameter that does not accept unknowns: the result is unknown, the body never runs.
  r = h.call_function("boom", {cty::value::unknown(cty::type::number())});
  ASSERT_TRUE(r.ok()) << *r.error;
  EXPECT_FALSE(r.value.is_known());
}

TEST(function_definition, MistakesAreReportedByGetProviderSchema) {
  fw::provider<> p{"bad"};
  p.add_function(fw::function("f", [](std::int64_t x) { return x; })
                     .parameter("x", {.allow_unknown = true})  // only for cty::value
                     .parameter("y"));                         // one too many
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
  const auto schema = h.provider_schema();
  ASSERT_EQ(schema.diags.size(), 2U);
  EXPECT_NE(schema.diags[0].detail.find("need a cty::value parameter"), std::string::npos);
  EXPECT_NE(schema.diags[1].detail.find("one more than the body takes"), std::string::npos);
}

}  // namespace function_test
