#include "api.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <functional>
#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

namespace cloud_mock {
namespace {

using json = nlohmann::json;

struct kind_info {
  std::string_view name;      // path segment and state-dump key
  std::string_view singular;  // for messages
  std::string_view prefix;    // of ids
};
constexpr std::array<kind_info, 3> kinds{{
    {"networks", "network", "net"},
    {"volumes", "volume", "vol"},
    {"servers", "server", "srv"},
}};
constexpr std::size_t network_kind = 0;
constexpr std::size_t volume_kind = 1;
constexpr std::size_t server_kind = 2;

enum op : std::size_t { op_list, op_create, op_get, op_update, op_delete, op_count };

constexpr route route_for(std::size_t kind, op o) {
  return static_cast<route>(kind * op_count + o);
}

constexpr std::array<std::string_view, route_count> route_names{
    "networks.list", "networks.create", "networks.get",   "networks.update",  "networks.delete",
    "volumes.list",  "volumes.create",  "volumes.get",    "volumes.update",   "volumes.delete",
    "servers.list",  "servers.create",  "servers.get",    "servers.update",   "servers.delete",
    "batch.get",     "regions.get",     "admin.counters", "admin.config_get", "admin.config_set",
    "admin.reset",   "admin.state",     "admin.shutdown", "not_found",        "method_not_allowed",
};

static_assert(route_names.back() == "method_not_allowed", "one name per route");

constexpr std::size_t max_batch_ids = 500;
constexpr std::int64_t max_volume_gb = 65536;

std::string now_rfc3339() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf, n};
}

std::string make_id(std::string_view prefix, std::uint64_t n) {
  char buf[48];
  const int len = std::snprintf(buf, sizeof buf, "%.*s-%06llu", static_cast<int>(prefix.size()),
                                prefix.data(), static_cast<unsigned long long>(n));
  return {buf, static_cast<std::size_t>(len)};
}

// a.b.c.d/n with decimal octets 0..255 (no leading zeros) and a prefix length 0..32.
bool valid_ipv4_cidr(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  auto number = [](std::string_view digits, int max) {
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
      return false;
    int v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    return v <= max;
  };
  if (!number(s.substr(slash + 1), 32)) return false;
  auto addr = s.substr(0, slash);
  for (int i = 0; i < 4; ++i) {
    const auto dot = addr.find('.');
    if ((dot == std::string_view::npos) != (i == 3)) return false;
    if (!number(addr.substr(0, dot), 255)) return false;
    addr.remove_prefix(dot == std::string_view::npos ? addr.size() : dot + 1);
  }
  return true;
}

struct region {
  std::string_view name;
  std::string_view display_name;
  std::vector<std::string_view> zones;
  std::vector<std::string_view> images;
  std::vector<std::string_view> sizes;
};

// Region documents, rendered once.
const std::map<std::string, std::string, std::less<>>& region_documents() {
  static const auto docs = [] {
    const std::vector<std::string_view> common_images{"debian-12", "ubuntu-22.04", "ubuntu-24.04",
                                                      "rocky-9"};
    const std::vector<std::string_view> common_sizes{"small", "medium", "large"};
    const region regions[] = {
        {"eu-west",
         "Europe (Dublin)",
         {"eu-west-1a", "eu-west-1b", "eu-west-1c"},
         common_images,
         common_sizes},
        {"eu-central",
         "Europe (Frankfurt)",
         {"eu-central-1a", "eu-central-1b"},
         common_images,
         common_sizes},
        {"us-east",
         "US East (Virginia)",
         {"us-east-1a", "us-east-1b", "us-east-1c"},
         common_images,
         {"small", "medium", "large", "xlarge"}},
        {"us-west", "US West (Oregon)", {"us-west-1a", "us-west-1b"}, common_images, common_sizes},
        {"ap-south",
         "Asia Pacific (Mumbai)",
         {"ap-south-1a"},
         {"debian-12", "ubuntu-24.04"},
         {"small", "medium"}},
    };
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& r : regions) {
      json j{{"name", r.name}, {"display_name", r.display_name}};
      j["zones"] = json::array();
      for (auto z : r.zones) j["zones"].push_back(z);
      j["images"] = json::array();
      for (auto i : r.images) j["images"].push_back(i);
      j["sizes"] = json::array();
      for (auto s : r.sizes) j["sizes"].push_back(s);
      out.emplace(std::string{r.name}, j.dump());
    }
    return out;
  }();
  return docs;
}

std::size_t request_fingerprint(const http::request& req) {
  const std::hash<std::string_view> h;
  std::size_t seed = h(req.method);
  for (std::string_view part : {req.target, req.body}) {
    seed ^= h(part) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  }
  return seed;
}

bool non_empty_string(const json& v) {
  return v.is_string() && !v.get_ref<const std::string&>().empty();
}

}  // namespace

std::string_view route_name(route r) { return route_names[static_cast<std::size_t>(r)]; }

route_match match_route(std::string_view method, std::string_view path) {
  route_match m;
  auto choose = [&](std::initializer_list<std::pair<std::string_view, route>> options,
                    std::string_view allow) {
    m.which = route::method_not_allowed;
    m.allow = allow;
    for (const auto& [verb, r] : options) {
      if (method == verb) m.which = r;
    }
    return std::move(m);
  };
  if (path.starts_with("/v1/")) {
    auto rest = path.substr(4);
    const auto slash = rest.find('/');
    const auto first = rest.substr(0, slash);
    const bool has_second = slash != std::string_view::npos;
    const auto second = has_second ? rest.substr(slash + 1) : std::string_view{};
    if (second.find('/') != std::string_view::npos) return m;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      if (first != kinds[k].name) continue;
      if (!has_second) {
        return choose({{"GET", route_for(k, op_list)}, {"POST", route_for(k, op_create)}},
                      "GET, POST");
      }
      if (second.empty()) return m;
      m.id.assign(second);
      return choose({{"GET", route_for(k, op_get)},
                     {"PATCH", route_for(k, op_update)},
                     {"DELETE", route_for(k, op_delete)}},
                    "GET, PATCH, DELETE");
    }
    if (first == "batch" && second == "get") return choose({{"POST", route::batch_get}}, "POST");
    if (first == "regions" && !second.empty()) {
      m.id.assign(second);
      return choose({{"GET", route::regions_get}}, "GET");
    }
    return m;
  }
  if (path == "/_admin/counters") return choose({{"GET", route::admin_counters}}, "GET");
  if (path == "/_admin/config") {
    return choose({{"GET", route::admin_config_get}, {"POST", route::admin_config_set}},
                  "GET, POST");
  }
  if (path == "/_admin/reset") return choose({{"POST", route::admin_reset}}, "POST");
  if (path == "/_admin/state") return choose({{"GET", route::admin_state}}, "GET");
  if (path == "/_admin/shutdown") return choose({{"POST", route::admin_shutdown}}, "POST");
  return m;
}

std::string to_json_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

reply json_reply(int status, const json& j) { return reply{status, to_json_text(j), {}, false}; }

reply error_reply(int status, std::string_view message) {
  return json_reply(status, json{{"error", message}});
}

bool parse_object(std::string_view body, json& out, std::string& error, bool empty_is_object) {
  if (body.empty() && empty_is_object) {
    out = json::object();
    return true;
  }
  // The parser is iterative, so deeply nested input cannot exhaust the stack.
  out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    error = "request body is not valid JSON";
    return false;
  }
  if (!out.is_object()) {
    error = "request body must be a JSON object";
    return false;
  }
  return true;
}

store::store() : secret_rng_{std::random_device{}()} {}

reply store::handle(const route_match& m, const http::request& req) {
  json body;
  std::string parse_error;
  const bool wants_body = req.method == "POST" || req.method == "PATCH";
  const bool body_ok = !wants_body || parse_object(req.body, body, parse_error);

  const std::string* key = req.method == "POST" ? req.header("idempotency-key") : nullptr;
  if (key != nullptr && key->empty()) key = nullptr;
  if (key != nullptr && key->size() > 255) {
    return error_reply(400, "Idempotency-Key is longer than 255 characters");
  }
  const std::size_t fingerprint = key != nullptr ? request_fingerprint(req) : 0;

  const std::lock_guard lock{mu_};
  if (key != nullptr) {
    if (const auto it = idempotency_.find(*key); it != idempotency_.end()) {
      if (it->second.fingerprint != fingerprint) {
        return error_reply(422, "Idempotency-Key was already used for a different request");
      }
      reply r = it->second.response;
      r.headers += "Idempotent-Replayed: true\r\n";
      r.replayed = true;
      return r;
    }
  }
  reply r;
  if (!body_ok) {
    r = error_reply(400, parse_error);
  } else {
    try {
      r = dispatch(m, body);
    } catch (const std::exception& e) {  // a bug, not the client's fault; keep serving
      r = error_reply(500, std::string{"internal error: "} + e.what());
    }
  }
  // Server errors are not final: a retry with the same key may do the work.
  if (key != nullptr && r.status < 500) idempotency_.emplace(*key, stored_reply{fingerprint, r});
  return r;
}

reply store::dispatch(const route_match& m, const json& body) {
  const auto index = static_cast<std::size_t>(m.which);
  if (index < kinds.size() * op_count) {
    const std::size_t kind = index / op_count;
    const auto& objects = kinds_[kind].objects;
    switch (static_cast<op>(index % op_count)) {
      case op_list: {
        json items = json::array();
        for (const auto& [id, obj] : objects) items.push_back(obj);
        return json_reply(200, json{{"items", std::move(items)}});
      }
      case op_create:
        return create(kind, body);
      case op_get: {
        const auto it = objects.find(m.id);
        if (it == objects.end()) {
          return error_reply(404, std::string{kinds[kind].singular} + " " + m.id + " not found");
        }
        return json_reply(200, it->second);
      }
      case op_update:
        return update(kind, m.id, body);
      case op_delete:
        return remove(kind, m.id);
      case op_count:
        break;
    }
  }
  if (m.which == route::batch_get) return batch_get(body);
  if (m.which == route::regions_get) {
    const auto& docs = region_documents();
    const auto it = docs.find(m.id);
    if (it == docs.end()) return error_reply(404, "region " + m.id + " not found");
    return reply{200, it->second, {}, false};
  }
  return error_reply(404, "no such route");
}

std::string store::validate(std::size_t kind, const json& body, const json* current,
                            int& status) const {
  status = 400;
  // Field -> whether create needs it.
  static const std::array<std::vector<std::pair<std::string_view, bool>>, 3> fields{{
      {{"name", true}, {"cidr", true}},
      {{"name", true}, {"size_gb", true}},
      {{"name", true},
       {"image", true},
       {"size", true},
       {"network_id", true},
       {"volume_id", true},
       {"tags", false}},
  }};
  for (const auto& [key, value] : body.items()) {
    if (key == "id" || key == "created_at") return "field '" + key + "' is read-only";
    if (key == "admin_password" && kind == server_kind) {
      return "field 'admin_password' is generated by the API";
    }
    bool known = false;
    for (const auto& [name, required] : fields[kind]) known = known || key == name;
    if (!known) return "unknown field '" + key + "' for a " + std::string{kinds[kind].singular};
  }
  if (current == nullptr) {
    for (const auto& [name, required] : fields[kind]) {
      if (required && !body.contains(name))
        return "missing required field '" + std::string{name} + "'";
    }
  }
  for (const auto& [key, value] : body.items()) {
    if (key == "name" || key == "image" || key == "size" || key == "network_id" ||
        key == "volume_id") {
      if (!non_empty_string(value)) return "field '" + key + "' must be a non-empty string";
    } else if (key == "cidr") {
      if (!value.is_string() || !valid_ipv4_cidr(value.get_ref<const std::string&>())) {
        return "field 'cidr' must be an IPv4 CIDR block such as \"10.0.0.0/16\"";
      }
    } else if (key == "size_gb") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
          value.get<std::int64_t>() > max_volume_gb) {
        return "field 'size_gb' must be an integer between 1 and 65536";
      }
    } else if (key == "tags") {
      if (!value.is_null() && !value.is_object())
        return "field 'tags' must be an object of strings";
      if (value.is_object()) {
        for (const auto& [tag, tag_value] : value.items()) {
          if (!tag_value.is_string()) return "tag '" + tag + "' must have a string value";
        }
      }
    }
  }
  // Semantic checks, after the shape is known to be right.
  status = 422;
  if (kind == server_kind) {
    for (const auto& [field, ref_kind] :
         {std::pair{"network_id", network_kind}, std::pair{"volume_id", volume_kind}}) {
      if (!body.contains(field)) continue;
      const auto& id = body[field].get_ref<const std::string&>();
      if (!kinds_[ref_kind].objects.contains(id)) {
        return std::string{kinds[ref_kind].singular} + " " + id + " does not exist";
      }
    }
  }
  if (kind == volume_kind && current != nullptr && body.contains("size_gb") &&
      body["size_gb"].get<std::int64_t>() < (*current)["size_gb"].get<std::int64_t>()) {
    return "volumes cannot shrink (size_gb " + (*current)["size_gb"].dump() + " -> " +
           body["size_gb"].dump() + ")";
  }
  return {};
}

std::string store::new_password() {
  constexpr std::string_view alphabet =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";  // no look-alikes
  std::uniform_int_distribution<std::size_t> pick{0, alphabet.size() - 1};
  std::string out(24, '\0');
  for (auto& c : out) c = alphabet[pick(secret_rng_)];
  return out;
}

reply store::create(std::size_t kind, const json& body) {
  int status = 0;
  if (auto err = validate(kind, body, nullptr, status); !err.empty()) {
    return error_reply(status, err);
  }
  auto& state = kinds_[kind];
  const auto id = make_id(kinds[kind].prefix, state.next_id++);
  json obj = body;
  obj["id"] = id;
  obj["created_at"] = now_rfc3339();
  if (kind == server_kind && (!obj.contains("tags") || obj["tags"].is_null())) {
    obj["tags"] = json::object();
  }
  const auto& stored = state.objects.emplace(id, std::move(obj)).first->second;
  if (kind != server_kind) return json_reply(201, stored);
  json out = stored;
  out["admin_password"] = new_password();  // shown once, never stored
  return json_reply(201, out);
}

reply store::update(std::size_t kind, const std::string& id, const json& body) {
  auto& objects = kinds_[kind].objects;
  const auto it = objects.find(id);
  if (it == objects.end()) {
    return error_reply(404, std::string{kinds[kind].singular} + " " + id + " not found");
  }
  int status = 0;
  if (auto err = validate(kind, body, &it->second, status); !err.empty()) {
    return error_reply(status, err);
  }
  for (const auto& [key, value] : body.items()) {
    it->second[key] = (key == "tags" && value.is_null()) ? json::object() : value;
  }
  return json_reply(200, it->second);
}

reply store::remove(std::size_t kind, const std::string& id) {
  auto& objects = kinds_[kind].objects;
  const auto it = objects.find(id);
  if (it == objects.end()) {
    return error_reply(404, std::string{kinds[kind].singular} + " " + id + " not found");
  }
  if (kind != server_kind) {
    const char* field = kind == network_kind ? "network_id" : "volume_id";
    for (const auto& [server_id, server] : kinds_[server_kind].objects) {
      if (const auto ref = server.find(field); ref != server.end() && *ref == id) {
        return error_reply(409, std::string{kinds[kind].singular} + " " + id +
                                    " is in use by server " + server_id);
      }
    }
  }
  objects.erase(it);
  return reply{204, {}, {}, false};
}

reply store::batch_get(const json& body) const {
  for (const auto& [key, value] : body.items()) {
    if (key != "kind" && key != "ids") return error_reply(400, "unknown field '" + key + "'");
  }
  // Without "kind", ids of any kind may be mixed: each id's prefix (net-, vol-, srv-) says
  // which collection it is looked up in.
  const auto kind_it = body.find("kind");
  const bool mixed = kind_it == body.end();
  std::size_t kind = kinds.size();
  if (!mixed && kind_it->is_string()) {
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      if (*kind_it == kinds[k].name) kind = k;
    }
  }
  if (!mixed && kind == kinds.size()) {
    return error_reply(400, "field 'kind' must be one of \"networks\", \"volumes\", \"servers\"");
  }
  const auto ids_it = body.find("ids");
  if (ids_it == body.end() || !ids_it->is_array()) {
    return error_reply(400, "field 'ids' must be an array of strings");
  }
  if (ids_it->size() > max_batch_ids) {
    return error_reply(400,
                       "at most 500 ids per batch (got " + std::to_string(ids_it->size()) + ")");
  }
  json items = json::object();
  json missing = json::array();
  std::set<std::string_view> seen_missing;
  for (const auto& id : *ids_it) {
    if (!id.is_string()) return error_reply(400, "field 'ids' must be an array of strings");
    const auto& s = id.get_ref<const std::string&>();
    std::size_t k = kind;
    if (mixed) {
      for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (s.size() > kinds[i].prefix.size() && s.starts_with(kinds[i].prefix) &&
            s[kinds[i].prefix.size()] == '-') {
          k = i;
        }
      }
    }
    if (k == kinds.size()) {
      if (seen_missing.insert(s).second) missing.push_back(s);
      continue;
    }
    const auto& objects = kinds_[k].objects;
    if (const auto it = objects.find(s); it != objects.end()) {
      items[s] = it->second;
    } else if (seen_missing.insert(s).second) {
      missing.push_back(s);
    }
  }
  return json_reply(200, json{{"items", std::move(items)}, {"missing", std::move(missing)}});
}

json store::dump() const {
  const std::lock_guard lock{mu_};
  json out = json::object();
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    json objs = json::object();
    for (const auto& [id, obj] : kinds_[k].objects) objs[id] = obj;
    out[std::string{kinds[k].name}] = std::move(objs);
  }
  return out;
}

void store::clear() {
  const std::lock_guard lock{mu_};
  for (auto& k : kinds_) k = kind_state{};
  idempotency_.clear();
}

}  // namespace cloud_mock
