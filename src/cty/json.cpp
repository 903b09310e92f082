#include <algorithm>
#include <charconv>

#include <cppvider/cty/json.hpp>
#include <cppvider/cty/type_json.hpp>

#include "json_reader.hpp"

namespace cppvider::cty::json {
namespace {

using detail::json_cursor;
using detail::type_node;
using detail::value_access;
using tag = value_access::tag;

class decoder {
 public:
  decoder(std::string_view text, const decode_options& o)
      : cur_(text), opts_(o), depth_left_(o.max_depth), text_(text) {}

  result<value> run(const type& t) {
    value out;
    if (!decode(t.node(), out) || !finish()) return take_error();
    return out;
  }

  result<value> run_untyped() {
    value out;
    if (!decode_untyped(out) || !finish()) return take_error();
    return out;
  }

 private:
  bool finish() {
    if (!cur_.at_end()) return fail("unexpected data after the value");
    return true;
  }
  cty::error take_error() {
    cty::error e;
    e.message = message_.empty() ? cur_.error() : message_;
    for (auto it = rev_path_.rbegin(); it != rev_path_.rend(); ++it) e.path.push(std::move(*it));
    return e;
  }
  bool fail(std::string msg) {
    if (message_.empty()) message_ = std::move(msg) + " at byte " + std::to_string(cur_.offset());
    return false;
  }
  bool syntax() {
    if (message_.empty()) message_ = cur_.error().empty() ? "invalid JSON" : cur_.error();
    return false;
  }
  bool enter() {
    if (--depth_left_ < 0) return fail("nesting too deep");
    return true;
  }

  static bool number_from_text(std::string_view text, value& out) {
    // Fast path: short plain integers.
    if (!text.empty() && text.size() <= 18 && text.find_first_of(".eE") == std::string_view::npos) {
      std::int64_t v = 0;
      const bool neg = text[0] == '-';
      for (std::size_t i = neg ? 1 : 0; i < text.size(); ++i) v = v * 10 + (text[i] - '0');
      value_access::set_int(out, neg ? -v : v);
      return true;
    }
    auto n = number::parse(text);
    if (!n) return false;
    value_access::set_number(out, *n);
    return true;
  }

  bool decode(const type_node* t, value& out) {
    const char c = cur_.peek();
    if (c == 'n') {
      if (!cur_.literal("null")) return syntax();
      detail::retain_node(t);
      value_access::set_null(out, t);
      return true;
    }
    switch (detail::kind_of(t)) {
      case type_kind::string: {
        if (c == '"') {
          if (!cur_.string(scratch_)) return syntax();
          value_access::set_string(out, scratch_);
          return true;
        }
        if (c == 't' || c == 'f') {
          const bool b = cur_.literal("true");
          if (!b && !cur_.literal("false")) return syntax();
          value_access::set_string(out, b ? "true" : "false");
          return true;
        }
        std::string_view num;
        if (c == '-' || (c >= '0' && c <= '9')) {
          if (!cur_.number_text(num)) return syntax();
          auto n = number::parse(num);
          if (!n) return fail("invalid number");
          value_access::set_string(out, n->to_string());
          return true;
        }
        return fail("string is required");
      }
      case type_kind::number: {
        if (c == '"') {
          if (!cur_.string(scratch_)) return syntax();
          auto n = number::parse(scratch_);
          if (!n)
            return fail("a number is required, got the string \"" + scratch_.substr(0, 64) + "\"");
          value_access::set_number(out, *n);
          return true;
        }
        std::string_view num;
        if (c != '-' && (c < '0' || c > '9')) return fail("number is required");
        if (!cur_.number_text(num)) return syntax();
        if (!number_from_text(num, out)) return fail("invalid number");
        return true;
      }
      case type_kind::boolean: {
        if (c == 't' || c == 'f') {
          const bool b = cur_.literal("true");
          if (!b && !cur_.literal("false")) return syntax();
          value_access::set_bool(out, b);
          return true;
        }
        if (c == '"') {
          if (!cur_.string(scratch_)) return syntax();
          if (scratch_ == "true" || scratch_ == "1")
            value_access::set_bool(out, true);
          else if (scratch_ == "false" || scratch_ == "0")
            value_access::set_bool(out, false);
          else
            return fail("a bool is required, got the string \"" + scratch_.substr(0, 64) + "\"");
          return true;
        }
        std::string_view num;
        if (c == '-' || (c >= '0' && c <= '9')) {
          if (!cur_.number_text(num)) return syntax();
          if (num == "1" || num == "0") {
            value_access::set_bool(out, num == "1");
            return true;
          }
        }
        return fail("bool is required");
      }
      case type_kind::object:
        return decode_object(t, out);
      case type_kind::map:
        return decode_map(t, out);
      case type_kind::list:
      case type_kind::set:
      case type_kind::tuple:
        return decode_array(t, out);
      case type_kind::dynamic:
        return decode_dynamic(out);
    }
    return fail("unsupported type");
  }

  bool decode_object(const type_node* t, value& out) {
    if (cur_.peek() != '{') return fail("object is required");
    if (!enter()) return false;
    cur_.consume('{');
    const auto& attrs = t->attributes;
    const auto na = static_cast<std::uint32_t>(attrs.size());
    auto* payload = detail::sequence_payload::create(t, na);
    value_access::set_sequence(out, tag::object, payload);
    value* items = payload->items();
    std::vector<bool> seen(na, false);
    std::string key;
    if (!cur_.consume('}')) {
      do {
        if (!cur_.string(key)) return syntax();
        if (!cur_.consume(':')) return fail("expected ':'");
        const auto idx = type::from_node(t).attribute_index(key);
        if (!idx) {
          if (opts_.ignore_unknown_attributes) {
            if (!cur_.skip_value(depth_left_)) return syntax();
            continue;
          }
          rev_path_.push_back(path_step::attribute(key));
          return fail("unsupported attribute \"" + key + "\"");
        }
        if (seen[*idx]) {
          rev_path_.push_back(path_step::attribute(key));
          return fail("duplicate attribute \"" + key + "\"");
        }
        seen[*idx] = true;
        if (!decode(attrs[*idx].ty.node(), items[*idx])) {
          rev_path_.push_back(path_step::attribute(attrs[*idx].name));
          return false;
        }
      } while (cur_.consume(','));
      if (!cur_.consume('}')) return fail("expected ',' or '}'");
    }
    for (std::uint32_t i = 0; i < na; ++i) {
      if (!seen[i]) {
        detail::retain_node(attrs[i].ty.node());
        value_access::set_null(items[i], attrs[i].ty.node());
      }
    }
    ++depth_left_;
    return true;
  }

  bool decode_map(const type_node* t, value& out) {
    if (cur_.peek() != '{') return fail("map is required");
    if (!enter()) return false;
    cur_.consume('{');
    std::vector<map_entry> entries;
    const type_node* et = t->element.node();
    bool sorted = true;
    std::string key;
    if (!cur_.consume('}')) {
      do {
        if (!cur_.string(key)) return syntax();
        if (!cur_.consume(':')) return fail("expected ':'");
        if (!entries.empty() && !(entries.back().key < key)) sorted = false;
        entries.push_back(map_entry{key, value{}});
        if (!decode(et, entries.back().value)) {
          rev_path_.push_back(path_step::key(key));
          return false;
        }
      } while (cur_.consume(','));
      if (!cur_.consume('}')) return fail("expected ',' or '}'");
    }
    if (!sorted) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](const map_entry& a, const map_entry& b) { return a.key < b.key; });
      for (std::size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].key == entries[i - 1].key) {
          rev_path_.push_back(path_step::key(entries[i].key));
          return fail("duplicate map key");
        }
      }
    }
    value_access::set_map(out, detail::map_payload::create(t, std::move(entries)));
    ++depth_left_;
    return true;
  }

  bool decode_array(const type_node* t, value& out) {
    const char* what = t->kind == type_kind::list  ? "list is required"
                       : t->kind == type_kind::set ? "set is required"
                                                   : "tuple is required";
    if (cur_.peek() != '[') return fail(what);
    if (!enter()) return false;
    cur_.consume('[');
    std::vector<value> elements;
    if (!cur_.consume(']')) {
      do {
        const std::size_t i = elements.size();
        const type_node* et = t->kind == type_kind::tuple
                                  ? (i < t->elements.size() ? t->elements[i].node() : nullptr)
                                  : t->element.node();
        if (t->kind == type_kind::tuple && i >= t->elements.size()) {
          return fail("a tuple of " + std::to_string(t->elements.size()) + " elements is required");
        }
        elements.emplace_back();
        if (!decode(et, elements.back())) {
          rev_path_.push_back(path_step::index(static_cast<std::int64_t>(i)));
          return false;
        }
      } while (cur_.consume(','));
      if (!cur_.consume(']')) return fail("expected ',' or ']'");
    }
    if (t->kind == type_kind::set) {
      out = detail::make_set(type::from_node(t), std::move(elements));
    } else {
      if (t->kind == type_kind::tuple && elements.size() != t->elements.size()) {
        return fail("a tuple of " + std::to_string(t->elements.size()) + " elements is required");
      }
      auto* payload =
          detail::sequence_payload::create(t, static_cast<std::uint32_t>(elements.size()));
      value_access::set_sequence(out, t->kind == type_kind::list ? tag::list : tag::tuple, payload);
      for (std::size_t i = 0; i < elements.size(); ++i)
        payload->items()[i] = std::move(elements[i]);
    }
    ++depth_left_;
    return true;
  }

  // {"value": ..., "type": ...} in either order.
  bool decode_dynamic(value& out) {
    if (cur_.peek() != '{')
      return fail("a dynamic value must be an object with \"value\" and \"type\"");
    if (!enter()) return false;
    cur_.consume('{');
    std::optional<type> ty;
    std::optional<std::string_view> value_text;
    std::string key;
    const std::string_view whole = cur_text();
    if (!cur_.consume('}')) {
      do {
        if (!cur_.string(key)) return syntax();
        if (!cur_.consume(':')) return fail("expected ':'");
        if (key == "type" && !ty) {
          cur_.skip_ws();
          const std::size_t start = cur_.offset();
          if (!cur_.skip_value(64)) return syntax();
          auto t = parse_type_json(whole.substr(start, cur_.offset() - start));
          if (!t) return fail(t.error().message);
          ty = std::move(*t);
        } else if (key == "value" && !value_text) {
          cur_.skip_ws();
          const std::size_t start = cur_.offset();
          if (!cur_.skip_value(depth_left_)) return syntax();
          value_text = whole.substr(start, cur_.offset() - start);
        } else {
          return fail("unexpected key \"" + key + "\" in a dynamic value");
        }
      } while (cur_.consume(','));
      if (!cur_.consume('}')) return fail("expected ',' or '}'");
    }
    if (!ty || !value_text) return fail("a dynamic value needs both \"value\" and \"type\"");
    // The value arrived before its type, so it is decoded again from its text; each dynamic level
    // rescans its own text, so their nesting is kept small to keep the work linear in practice.
    // (Terraform writes concrete types in the wrapper, so real documents never nest them.)
    if (dynamic_depth_ >= max_dynamic_depth) return fail("dynamic values nested too deeply");
    decode_options sub = opts_;
    sub.max_depth = depth_left_;
    decoder inner(*value_text, sub);
    inner.dynamic_depth_ = dynamic_depth_ + 1;
    auto v = inner.run(*ty);
    if (!v) {
      message_ = v.error().message;
      const auto steps = v.error().path.steps();
      for (auto it = steps.rbegin(); it != steps.rend(); ++it) rev_path_.push_back(*it);
      return false;
    }
    out = std::move(*v);
    ++depth_left_;
    return true;
  }

  bool decode_untyped(value& out) {
    const char c = cur_.peek();
    if (c == '{') {
      if (!enter()) return false;
      cur_.consume('{');
      std::vector<std::pair<std::string, value>> attrs;
      std::string key;
      if (!cur_.consume('}')) {
        do {
          if (!cur_.string(key)) return syntax();
          if (!cur_.consume(':')) return fail("expected ':'");
          for (const auto& a : attrs) {
            if (a.first == key) {
              rev_path_.push_back(path_step::attribute(key));
              return fail("duplicate attribute \"" + key + "\"");
            }
          }
          attrs.emplace_back(key, value{});
          if (!decode_untyped(attrs.back().second)) {
            rev_path_.push_back(path_step::attribute(key));
            return false;
          }
        } while (cur_.consume(','));
        if (!cur_.consume('}')) return fail("expected ',' or '}'");
      }
      out = value::object(std::move(attrs));
      ++depth_left_;
      return true;
    }
    if (c == '[') {
      if (!enter()) return false;
      cur_.consume('[');
      std::vector<value> elements;
      if (!cur_.consume(']')) {
        do {
          elements.emplace_back();
          if (!decode_untyped(elements.back())) {
            rev_path_.push_back(path_step::index(static_cast<std::int64_t>(elements.size() - 1)));
            return false;
          }
        } while (cur_.consume(','));
        if (!cur_.consume(']')) return fail("expected ',' or ']'");
      }
      out = value::tuple(std::move(elements));
      ++depth_left_;
      return true;
    }
    if (c == '"') return decode(detail::string_node(), out);
    if (c == 't' || c == 'f') return decode(detail::bool_node(), out);
    if (c == 'n') return decode(nullptr, out);
    if (c == '-' || (c >= '0' && c <= '9')) return decode(detail::number_node(), out);
    return fail("invalid JSON value");
  }

  [[nodiscard]] std::string_view cur_text() const { return text_; }

  static constexpr int max_dynamic_depth = 32;

  json_cursor cur_;
  decode_options opts_;
  int depth_left_;
  int dynamic_depth_ = 0;
  std::string message_;
  std::vector<path_step> rev_path_;
  std::string scratch_;
  std::string_view text_;
};

// ---- Encoding ----------------------------------------------------------------------------------

class encoder {
 public:
  explicit encoder(std::string& out) : out_(out) {}

  std::optional<cty::error> run(const value& v, const type& t) {
    if (encode(v, t.node())) return std::nullopt;
    cty::error e;
    e.message = std::move(message_);
    for (auto it = rev_path_.rbegin(); it != rev_path_.rend(); ++it) e.path.push(std::move(*it));
    return e;
  }

 private:
  bool fail(std::string m) {
    message_ = std::move(m);
    return false;
  }
  bool mismatch(const value& v, const type_node* t) {
    return fail("a " + type::from_node(t).friendly_name() + " is required, got " +
                type::from_node(value_access::node_of(v)).friendly_name());
  }

  bool encode(const value& v, const type_node* t) {
    const tag vt = value_access::tag_of(v);
    if (t == nullptr && value_access::node_of(v) != nullptr) {
      const type_node* own = value_access::node_of(v);
      out_ += "{\"value\":";
      if (!encode(v, own)) return false;
      out_ += ",\"type\":";
      append_type_json(out_, type::from_node(own));
      out_ += '}';
      return true;
    }
    if (vt == tag::null) {
      out_ += "null";
      return true;
    }
    if (vt == tag::unknown) return fail("an unknown value cannot be written as JSON");
    switch (detail::kind_of(t)) {
      case type_kind::string:
        if (vt != tag::small_string && vt != tag::string) return mismatch(v, t);
        detail::write_json_string(out_, value_access::string_of(v));
        return true;
      case type_kind::number: {
        if (vt == tag::integer) {
          char buf[24];
          auto [p, ec] = std::to_chars(buf, buf + sizeof buf, value_access::int_of(v));
          out_.append(buf, p);
          return true;
        }
        if (vt != tag::real && vt != tag::big) return mismatch(v, t);
        const number n = value_access::number_of(v);
        if (n.is_infinite()) return fail("infinity cannot be written as JSON");
        out_ += n.to_string();
        return true;
      }
      case type_kind::boolean:
        if (vt != tag::boolean) return mismatch(v, t);
        out_ += value_access::bool_of(v) ? "true" : "false";
        return true;
      case type_kind::object: {
        if (vt != tag::object) return mismatch(v, t);
        const auto* s = value_access::seq_of(v);
        const auto& want = t->attributes;
        if (s->node != t) {
          const auto& got = s->node->attributes;
          bool same = got.size() == want.size();
          for (std::size_t i = 0; same && i < got.size(); ++i) same = got[i].name == want[i].name;
          if (!same) return fail("object attributes do not match the type");
        }
        out_ += '{';
        for (std::uint32_t i = 0; i < s->size; ++i) {
          if (i != 0) out_ += ',';
          detail::write_json_string(out_, want[i].name);
          out_ += ':';
          if (!encode(s->items()[i], want[i].ty.node())) {
            rev_path_.push_back(path_step::attribute(want[i].name));
            return false;
          }
        }
        out_ += '}';
        return true;
      }
      case type_kind::map: {
        if (vt != tag::map) return mismatch(v, t);
        out_ += '{';
        bool first = true;
        for (const auto& e : value_access::map_of(v)->entries()) {
          if (!first) out_ += ',';
          first = false;
          detail::write_json_string(out_, e.key);
          out_ += ':';
          if (!encode(e.value, t->element.node())) {
            rev_path_.push_back(path_step::key(e.key));
            return false;
          }
        }
        out_ += '}';
        return true;
      }
      case type_kind::list:
      case type_kind::set:
      case type_kind::tuple: {
        const tag want = t->kind == type_kind::list  ? tag::list
                         : t->kind == type_kind::set ? tag::set
                                                     : tag::tuple;
        if (vt != want) return mismatch(v, t);
        const auto* s = value_access::seq_of(v);
        if (t->kind == type_kind::tuple && s->size != t->elements.size()) {
          return fail("tuple length does not match the type");
        }
        out_ += '[';
        for (std::uint32_t i = 0; i < s->size; ++i) {
          if (i != 0) out_ += ',';
          const type_node* et =
              t->kind == type_kind::tuple ? t->elements[i].node() : t->element.node();
          if (!encode(s->items()[i], et)) {
            rev_path_.push_back(path_step::index(i));
            return false;
          }
        }
        out_ += ']';
        return true;
      }
      case type_kind::dynamic:  // an untyped null was handled above
        break;
    }
    return fail("unsupported type");
  }

  std::string& out_;
  std::string message_;
  std::vector<path_step> rev_path_;
};

}  // namespace

result<value> decode(std::string_view json, const type& t, const decode_options& options) {
  decoder d(json, options);
  return d.run(t);
}

result<value> decode_raw_state(std::string_view json, const type& t) {
  decode_options o;
  o.ignore_unknown_attributes = true;
  return decode(json, t, o);
}

result<value> decode_untyped(std::string_view json, int max_depth) {
  decode_options o;
  o.max_depth = max_depth;
  decoder d(json, o);
  return d.run_untyped();
}

result<type> implied_type(std::string_view json) {
  auto v = decode_untyped(json);
  if (!v) return std::move(v).error();
  return v->type();
}

std::optional<error> encode_into(std::string& out, const value& v, const type& t) {
  return encoder(out).run(v, t);
}

result<std::string> encode(const value& v, const type& t) {
  std::string out;
  if (auto e = encode_into(out, v, t)) return std::move(*e);
  return out;
}

}  // namespace cppvider::cty::json
