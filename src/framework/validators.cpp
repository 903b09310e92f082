#include "cppvider/framework/validators.hpp"

#include <limits>
#include <memory>
#include <regex>

namespace cppvider::framework {

namespace {

bool is_set(const cty::value& v) { return v.is_known() && !v.is_null(); }

// Code points in valid UTF-8 (cty strings are valid UTF-8): count the non-continuation bytes.
std::int64_t utf8_length(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

std::string quoted_list(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) {
    if (!out.empty()) out += ", ";
    out += "\"" + x + "\"";
  }
  return out;
}

validator string_check(
    std::string description,
    std::function<void(const validator_request&, std::string_view, diagnostics&)> check) {
  return {description, [check = std::move(check)](const validator_request& r, diagnostics& d) {
            if (!is_set(r.value) || r.value.type().kind() != cty::type_kind::string) return;
            check(r, r.value.as_string(), d);
          }};
}

validator length_check(std::int64_t min, std::int64_t max, std::string description) {
  return string_check(description, [min, max, description](const validator_request& r,
                                                           std::string_view s, diagnostics& d) {
    const auto n = utf8_length(s);
    if (n < min || n > max) {
      d.add_error(r.path, "Invalid attribute value length",
                  "Attribute " + r.path.to_string().substr(1) + " " + description + ", got " +
                      std::to_string(n) + ".");
    }
  });
}

validator number_check(std::string description, std::function<bool(const cty::number&)> ok) {
  return {description,
          [description, ok = std::move(ok)](const validator_request& r, diagnostics& d) {
            if (!is_set(r.value) || r.value.type().kind() != cty::type_kind::number) return;
            const auto n = r.value.as_number();
            if (!ok(n)) {
              d.add_error(r.path, "Invalid attribute value",
                          "Attribute " + r.path.to_string().substr(1) + " value " + description +
                              ", got " + n.to_string() + ".");
            }
          }};
}

validator size_check(std::int64_t min, std::int64_t max, std::string description) {
  return {description, [min, max, description](const validator_request& r, diagnostics& d) {
            if (!is_set(r.value) || !r.value.type().is_collection()) return;
            const auto n = static_cast<std::int64_t>(r.value.length());
            if (n < min || n > max) {
              d.add_error(r.path, "Invalid attribute value",
                          "Attribute " + r.path.to_string().substr(1) + " " + description +
                              ", got " + std::to_string(n) + " elements.");
            }
          }};
}

// Sibling states: set, null, or unknown (the check waits until apply).
enum class presence { set, null, unknown };
presence sibling(const validator_request& r, const std::string& name) {
  if (!r.parent.is_known()) return presence::unknown;
  if (r.parent.is_null()) return presence::null;
  const cty::value* v = r.parent.find_attr(name);
  if (v == nullptr || (v->is_known() && v->is_null())) return presence::null;
  if (!v->is_known()) return presence::unknown;
  return presence::set;
}
presence self(const validator_request& r) {
  if (!r.value.is_known()) return presence::unknown;
  return r.value.is_null() ? presence::null : presence::set;
}
std::string self_name(const validator_request& r) {
  const auto steps = r.path.steps();
  return steps.empty() ? std::string{} : steps.back().name();
}

constexpr std::int64_t no_limit = std::numeric_limits<std::int64_t>::max();

}  // namespace

validator length_between(std::int64_t min, std::int64_t max) {
  return length_check(
      min, max,
      "string length must be between " + std::to_string(min) + " and " + std::to_string(max));
}
validator length_at_least(std::int64_t min) {
  return length_check(min, no_limit, "string length must be at least " + std::to_string(min));
}
validator length_at_most(std::int64_t max) {
  return length_check(0, max, "string length must be at most " + std::to_string(max));
}

validator matches_regex(const std::string& pattern, std::string message) {
  auto re = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  std::string description = "value must match the regular expression " + pattern;
  if (message.empty()) message = description;
  return string_check(
      description, [re, message](const validator_request& r, std::string_view s, diagnostics& d) {
        if (!std::regex_match(s.begin(), s.end(), *re)) {
          d.add_error(r.path, "Invalid attribute value match",
                      "Attribute " + r.path.to_string().substr(1) + " " + message + ", got \"" +
                          std::string(s) + "\".");
        }
      });
}

validator one_of(std::vector<std::string> allowed) {
  std::string description = "value must be one of: " + quoted_list(allowed);
  return string_check(
      description, [allowed = std::move(allowed), description](const validator_request& r,
                                                               std::string_view s, diagnostics& d) {
        for (const auto& a : allowed)
          if (a == s) return;
        d.add_error(r.path, "Invalid attribute value match",
                    "Attribute " + r.path.to_string().substr(1) + " " + description + ", got \"" +
                        std::string(s) + "\".");
      });
}

validator none_of(std::vector<std::string> forbidden) {
  std::string description = "value must be none of: " + quoted_list(forbidden);
  return string_check(description,
                      [forbidden = std::move(forbidden), description](
                          const validator_request& r, std::string_view s, diagnostics& d) {
                        for (const auto& f : forbidden) {
                          if (f == s) {
                            d.add_error(r.path, "Invalid attribute value match",
                                        "Attribute " + r.path.to_string().substr(1) + " " +
                                            description + ", got \"" + std::string(s) + "\".");
                            return;
                          }
                        }
                      });
}

validator at_least(cty::number min) {
  return number_check("must be at least " + min.to_string(),
                      [min](const cty::number& n) { return n >= min; });
}
validator at_most(cty::number max) {
  return number_check("must be at most " + max.to_string(),
                      [max](const cty::number& n) { return n <= max; });
}
validator between(cty::number min, cty::number max) {
  return number_check("must be between " + min.to_string() + " and " + max.to_string(),
                      [min, max](const cty::number& n) { return n >= min && n <= max; });
}
validator one_of_numbers(std::vector<cty::number> allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a.to_string();
  return number_check("must be one of: " + list, [allowed](const cty::number& n) {
    for (const auto& a : allowed)
      if (a == n) return true;
    return false;
  });
}

validator size_between(std::int64_t min, std::int64_t max) {
  return size_check(
      min, max,
      "must contain between " + std::to_string(min) + " and " + std::to_string(max) + " elements");
}
validator size_at_least(std::int64_t min) {
  return size_check(min, no_limit, "must contain at least " + std::to_string(min) + " elements");
}
validator size_at_most(std::int64_t max) {
  return size_check(0, max, "must contain at most " + std::to_string(max) + " elements");
}

validator conflicts_with(std::vector<std::string> others) {
  std::string description = "conflicts with " + quoted_list(others);
  return {description, [others = std::move(others)](const validator_request& r, diagnostics& d) {
            if (self(r) != presence::set) return;
            for (const auto& o : others) {
              if (sibling(r, o) == presence::set) {
                d.add_error(r.path, "Invalid attribute combination",
                            "Attribute \"" + o + "\" cannot be specified when \"" + self_name(r) +
                                "\" is specified.");
              }
            }
          }};
}

validator also_requires(std::vector<std::string> others) {
  std::string description = "requires " + quoted_list(others);
  return {description, [others = std::move(others)](const validator_request& r, diagnostics& d) {
            if (self(r) != presence::set) return;
            for (const auto& o : others) {
              if (sibling(r, o) == presence::null) {
                d.add_error(r.path, "Invalid attribute combination",
                            "Attribute \"" + o + "\" must be specified when \"" + self_name(r) +
                                "\" is specified.");
              }
            }
          }};
}

validator exactly_one_of(std::vector<std::string> others) {
  std::string description = "exactly one of this attribute and " + quoted_list(others);
  return {description, [others = std::move(others)](const validator_request& r, diagnostics& d) {
            std::vector<std::string> all{self_name(r)};
            all.insert(all.end(), others.begin(), others.end());
            int set = self(r) == presence::set ? 1 : 0;
            if (self(r) == presence::unknown) return;
            for (const auto& o : others) {
              const auto p = sibling(r, o);
              if (p == presence::unknown) return;
              set += p == presence::set ? 1 : 0;
            }
            if (set == 1) return;
            d.add_error(r.path, "Invalid attribute combination",
                        set == 0 ? "No attribute specified when one (and only one) of [" +
                                       quoted_list(all) + "] is required"
                                 : "2 or more attributes specified when one (and only one) of [" +
                                       quoted_list(all) + "] is required");
          }};
}

validator at_least_one_of(std::vector<std::string> others) {
  std::string description = "at least one of this attribute and " + quoted_list(others);
  return {description, [others = std::move(others)](const validator_request& r, diagnostics& d) {
            if (self(r) != presence::null) return;
            std::vector<std::string> all{self_name(r)};
            for (const auto& o : others) {
              if (sibling(r, o) != presence::null) return;
              all.push_back(o);
            }
            d.add_error(
                r.path, "Invalid attribute combination",
                "At least one attribute out of [" + quoted_list(all) + "] must be specified");
          }};
}

}  // namespace cppvider::framework
