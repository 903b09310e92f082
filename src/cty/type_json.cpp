#include <algorithm>

#include <cppvider/cty/type_json.hpp>
#include <cppvider/detail/json_escape.hpp>

#include "json_reader.hpp"

namespace cppvider::cty {
namespace detail {

void write_json_string(std::string& out, std::string_view s) {
  cppvider::detail::append_json_string(out, s);
}

namespace {

constexpr int max_type_depth = 256;

class type_parser {
 public:
  explicit type_parser(std::string_view text) : cur_(text) {}

  result<type> run() {
    type t;
    if (!parse(t, 0)) return fail();
    if (!cur_.at_end()) {
      cur_.fail("unexpected data after the type");
      return fail();
    }
    return t;
  }

 private:
  cty::error fail() const { return cty::error{{}, "invalid type JSON: " + cur_.error()}; }

  bool parse(type& out, int depth) {
    if (depth > max_type_depth) return cur_.fail("type nested too deeply");
    if (cur_.peek() == '"') {
      if (!cur_.string(scratch_)) return false;
      if (scratch_ == "string")
        out = type::string();
      else if (scratch_ == "number")
        out = type::number();
      else if (scratch_ == "bool")
        out = type::boolean();
      else if (scratch_ == "dynamic")
        out = type::dynamic();
      else
        return cur_.fail("unknown primitive type name");
      return true;
    }
    if (!cur_.consume('[')) return cur_.fail("expected a type");
    if (!cur_.string(scratch_)) return false;
    const std::string kind = scratch_;
    if (!cur_.consume(',')) return cur_.fail("expected ',' after the type kind");
    if (kind == "list" || kind == "set" || kind == "map") {
      type element;
      if (!parse(element, depth + 1)) return false;
      out = kind == "list"  ? type::list(std::move(element))
            : kind == "set" ? type::set(std::move(element))
                            : type::map(std::move(element));
    } else if (kind == "tuple") {
      std::vector<type> elements;
      if (!cur_.consume('[')) return cur_.fail("expected '[' for tuple elements");
      if (!cur_.consume(']')) {
        do {
          type e;
          if (!parse(e, depth + 1)) return false;
          elements.push_back(std::move(e));
        } while (cur_.consume(','));
        if (!cur_.consume(']')) return cur_.fail("expected ']' after tuple elements");
      }
      out = type::tuple(std::move(elements));
    } else if (kind == "object") {
      if (!parse_object(out, depth)) return false;
    } else {
      return cur_.fail("unknown type kind");
    }
    if (!cur_.consume(']')) return cur_.fail("expected ']' after the type");
    return true;
  }

  bool parse_object(type& out, int depth) {
    std::vector<attribute> attrs;
    if (!cur_.consume('{')) return cur_.fail("expected '{' for object attributes");
    if (!cur_.consume('}')) {
      do {
        std::string name;
        if (!cur_.string(name)) return false;
        if (!cur_.consume(':')) return cur_.fail("expected ':'");
        type t;
        if (!parse(t, depth + 1)) return false;
        attrs.emplace_back(std::move(name), std::move(t));
      } while (cur_.consume(','));
      if (!cur_.consume('}')) return cur_.fail("expected '}' after object attributes");
    }
    std::sort(attrs.begin(), attrs.end(),
              [](const attribute& a, const attribute& b) { return a.name < b.name; });
    for (std::size_t i = 1; i < attrs.size(); ++i) {
      if (attrs[i].name == attrs[i - 1].name) return cur_.fail("duplicate object attribute");
    }
    if (cur_.consume(',')) {
      if (!cur_.consume('[')) return cur_.fail("expected '[' for optional attribute names");
      if (!cur_.consume(']')) {
        do {
          if (!cur_.string(scratch_)) return false;
          auto it =
              std::lower_bound(attrs.begin(), attrs.end(), scratch_,
                               [](const attribute& a, const std::string& n) { return a.name < n; });
          if (it == attrs.end() || it->name != scratch_) {
            return cur_.fail("optional attribute is not an attribute of the object");
          }
          it->optional = true;
        } while (cur_.consume(','));
        if (!cur_.consume(']')) return cur_.fail("expected ']' after optional attribute names");
      }
    }
    out = type::object(std::move(attrs));
    return true;
  }

  json_cursor cur_;
  std::string scratch_;
};

}  // namespace
}  // namespace detail

result<type> parse_type_json(std::string_view json) { return detail::type_parser(json).run(); }

void append_type_json(std::string& out, const type& t) {
  switch (t.kind()) {
    case type_kind::boolean:
      out += "\"bool\"";
      return;
    case type_kind::number:
      out += "\"number\"";
      return;
    case type_kind::string:
      out += "\"string\"";
      return;
    case type_kind::dynamic:
      out += "\"dynamic\"";
      return;
    case type_kind::list:
    case type_kind::set:
    case type_kind::map:
      out += t.is_list() ? "[\"list\"," : t.is_set() ? "[\"set\"," : "[\"map\",";
      append_type_json(out, t.element_type());
      out += ']';
      return;
    case type_kind::tuple: {
      out += "[\"tuple\",[";
      bool first = true;
      for (const auto& e : t.tuple_elements()) {
        if (!first) out += ',';
        first = false;
        append_type_json(out, e);
      }
      out += "]]";
      return;
    }
    case type_kind::object: {
      out += "[\"object\",{";
      bool first = true;
      for (const auto& a : t.attributes()) {
        if (!first) out += ',';
        first = false;
        detail::write_json_string(out, a.name);
        out += ':';
        append_type_json(out, a.ty);
      }
      out += '}';
      if (t.has_optional_attributes()) {
        out += ",[";
        first = true;
        for (const auto& a : t.attributes()) {
          if (!a.optional) continue;
          if (!first) out += ',';
          first = false;
          detail::write_json_string(out, a.name);
        }
        out += ']';
      }
      out += ']';
      return;
    }
  }
}

std::string type_to_json(const type& t) {
  std::string out;
  append_type_json(out, t);
  return out;
}

}  // namespace cppvider::cty
