// Misuse of the schema DSL and of provider registration must not compile. Each case is built
// twice by CTest: without CASE_* it must compile (the file itself is sound), with -DCASE_<n>
// it must fail with the message given in CMakeLists.txt.
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "cppvider/framework/provider.hpp"

namespace fw = cppvider::framework;

struct rule {
  fw::attr<std::int64_t> port;
};
struct state {
  fw::attr<std::string> name;
  fw::attr<std::int64_t> count;
  fw::attr<rule> one_rule;
  std::string plain_field;
};
struct other {
  fw::attr<std::string> name;
};

inline fw::schema_for<rule> rule_schema() {
  return fw::schema_for<rule>().attribute("port", &rule::port, {.required = true});
}

struct api_client {};
struct other_client {};

struct res {
  using state = ::state;
  static constexpr std::string_view type_name = "res";
  api_client& api;
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>().attribute("name", &state::name, {.required = true});
  }
#if defined(CASE_HOOK_RETURNS_VALUE)
  int create(const fw::create_request<state>&, fw::create_response<state>&) { return 1; }
#else
  void create(const fw::create_request<state>&, fw::create_response<state>&) {}
#endif
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

inline void build() {
  auto s = fw::schema_for<state>()
               .attribute("name", &state::name, {.required = true})
               .attribute("count", &state::count,
                          {.optional = true, .computed = true, .default_value = 3})
               .nested_attribute("one_rule", &state::one_rule, fw::as_single, rule_schema());
#if defined(CASE_DEFAULT_OF_WRONG_TYPE)
  s.attribute("count", &state::count,
              {.optional = true, .computed = true, .default_value = std::string("three")});
#elif defined(CASE_MEMBER_OF_OTHER_STRUCT)
  s.attribute("name", &other::name, {.required = true});
#elif defined(CASE_FIELD_NOT_AN_ATTR)
  s.attribute("plain", &state::plain_field, {.required = true});
#elif defined(CASE_TYPE_CTY_CANNOT_CONVERT)
  struct with_thread {
    fw::attr<std::thread::id> t;
  };
  (void)fw::schema_for<with_thread>().attribute("t", &with_thread::t, {.optional = true});
#elif defined(CASE_NESTING_DOES_NOT_MATCH_FIELD)
  s.nested_attribute("rules", &state::one_rule, fw::as_list, rule_schema());
#elif defined(CASE_NESTED_SCHEMA_OF_OTHER_TYPE)
  s.nested_attribute("one_rule", &state::one_rule, fw::as_single, fw::schema_for<other>());
#endif
  (void)s;

#if defined(CASE_RESOURCE_NEEDS_OTHER_CLIENT)
  fw::provider<fw::no_config, other_client> p{"x"};
#else
  fw::provider<fw::no_config, api_client> p{"x"};
#endif
  p.add_resource<res>();
}

int main() { build(); }
