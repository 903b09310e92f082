#include "cloud.hpp"

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cppvider/runtime/gather.hpp"

namespace cloud {

namespace {

using namespace std::chrono_literals;

// 128 random bits as hex: one per create, reused by the HTTP client's retries of that request.
std::string new_idempotency_key() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int word = 0; word < 2; ++word) {
    auto v = rng();
    for (int i = 0; i < 16; ++i, v >>= 4U) out += hex[v & 15U];
  }
  return out;
}

http::client_options client_options(std::string endpoint, const std::string& token,
                                    std::int64_t max_connections) {
  http::client_options o;
  o.base_url = std::move(endpoint);
  if (!token.empty()) o.headers.set("Authorization", "Bearer " + token);
  o.user_agent = "terraform-provider-cloud (cppvider example)";
  o.limits = http::limits::high_traffic();
  if (max_connections > 0) {
    o.limits.max_connections = static_cast<int>(max_connections);
    o.limits.max_connections_per_host = static_cast<int>(max_connections);
  }
  o.timeouts.connect = 5s;
  o.timeouts.read = 30s;
  o.timeouts.total = 60s;
  // Every request this provider sends is safe to repeat (GET, DELETE, PATCH to absolute
  // values, POST with an Idempotency-Key), so transient 5xx are retried too.
  o.retry.max_attempts = 8;
  o.retry.base_delay = 50ms;
  o.retry.max_delay = 2s;
  o.retry.retry_statuses = {429, 500, 502, 503, 504};
  return o;
}

std::string key_of(std::string_view kind, std::string_view id) {
  std::string k(kind);
  k += '/';
  k += id;
  return k;
}

// Throws with the API's own error text for a status >= 400.
const http::response& checked(const http::response& r) { return r.raise_for_status(); }

std::vector<std::string> strings_of(const http::json& array) {
  std::vector<std::string> out;
  for (const auto& v : array.as_array()) out.push_back(v.as_string());
  return out;
}

}  // namespace

// ---- The API client ------------------------------------------------------------------------

api::api(std::string endpoint, std::string region, std::string token, std::int64_t max_connections)
    : region_(std::move(region)),
      http_(client_options(std::move(endpoint), token, max_connections)),
      regions_({.max_entries = 64, .default_ttl = 1h}),
      objects_({.max_entries = 100'000, .default_ttl = 30s}) {
  // Keys are "kind/id"; one window's keys, of every kind, become one batch call (ids carry
  // their kind in their prefix, so the API needs no "kind" for a mixed batch).
  reads_ = std::make_unique<cppvider::batch::batcher<std::string, http::json>>(
      [this](std::vector<std::string> keys) { return batch_get(std::move(keys)); },
      // Terraform runs 10 operations at a time: a window of a few milliseconds gathers the
      // reads that arrive together without adding much to each.
      cppvider::batch::options{.window = 10ms, .max_batch_size = 300});
}

rt::task<cppvider::batch::results<std::string, http::json>> api::batch_get(
    std::vector<std::string> keys) {
  auto body = http::json::object({{"ids", http::json::array()}});
  for (const auto& k : keys) body["ids"].push_back(k.substr(k.find('/') + 1));
  // A read, though a POST: the key tells the HTTP client (and the API) it may be repeated.
  http::headers h;
  h.set("Idempotency-Key", new_idempotency_key());
  const auto resp = co_await http_.post("/v1/batch/get", body, std::move(h));
  const auto doc = checked(resp).json();
  cppvider::batch::results<std::string, http::json> out;
  for (const auto& k : keys) {
    const auto* obj = doc["items"].find(k.substr(k.find('/') + 1));
    out.set(k, obj != nullptr ? *obj : http::json());  // absent: gone (null)
  }
  co_return out;
}

rt::task<http::json> api::create(std::string kind, http::json body, std::string idempotency_key) {
  http::request r;
  r.method = http::method::post;
  r.url = "/v1/" + kind;
  r.headers.set("Idempotency-Key", std::move(idempotency_key));
  r.json(body);
  const auto resp = co_await http_.send(std::move(r));
  auto obj = checked(resp).json();
  auto cached = obj;
  cached.erase("admin_password");  // secrets never sit in a cache
  objects_.put(key_of(kind, obj["id"].as_string()), std::move(cached));
  co_return obj;
}

rt::task<http::json> api::get(std::string kind, std::string id) {
  const auto key = key_of(kind, id);
  if (auto hit = objects_.get(key)) co_return std::move(*hit);
  auto obj = co_await reads_->load(key);
  if (!obj.is_null()) objects_.put(key, obj);
  co_return obj;
}

rt::task<http::json> api::update(std::string kind, std::string id, http::json changes) {
  const auto key = key_of(kind, id);
  objects_.invalidate(key);
  http::request r;
  r.method = http::method::patch;
  r.url = "/v1/" + kind + "/" + id;
  // PATCH sets absolute values: repeating it is harmless, so let the client retry it.
  r.headers.set("Idempotency-Key", new_idempotency_key());
  r.json(changes);
  const auto resp = co_await http_.send(std::move(r));
  auto obj = checked(resp).json();
  objects_.put(key, obj);
  co_return obj;
}

rt::task<void> api::remove(std::string kind, std::string id) {
  objects_.invalidate(key_of(kind, id));
  const auto resp = co_await http_.del("/v1/" + kind + "/" + id);
  if (resp.status != 404) checked(resp);
}

rt::task<http::json> api::region_info(std::string name) {
  // A named fetcher: GCC 12 destroys a capturing lambda twice when it is a temporary inside a
  // co_await expression (docs/runtime.md, "Compiler pitfalls").
  const auto fetch = [this, name] { return fetch_region(name); };
  co_return co_await regions_.get_or_fetch(name, fetch);
}

rt::task<http::json> api::fetch_region(std::string name) {
  const auto resp = co_await http_.get("/v1/regions/" + name);
  if (resp.status == 404) throw std::invalid_argument("unknown region \"" + name + "\"");
  co_return checked(resp).json();
}

// ---- cloud_server --------------------------------------------------------------------------

fw::schema_for<server::state> server::schema() {
  using fw::requires_replace, fw::use_state_for_unknown;
  return fw::schema_for<state>()
      .description("A server with its own network and volume.")
      .attribute("id", &state::id, {.computed = true, .plan_modifiers = {use_state_for_unknown()}})
      .attribute("name", &state::name,
                 {.required = true, .validators = {fw::length_between(1, 63)}})
      .attribute("image", &state::image, {.required = true})
      .attribute("size", &state::size,
                 {.optional = true, .computed = true, .default_value = "small"})
      .attribute("volume_size_gb", &state::volume_size_gb,
                 {.optional = true,
                  .computed = true,
                  .description = "Grows in place; shrinking replaces the server.",
                  .default_value = 10,
                  .plan_modifiers = {fw::requires_replace_if(
                      [](const fw::plan_modifier_request& q) {
                        return q.state.is_known() && !q.state.is_null() && q.plan.is_known() &&
                               !q.plan.is_null() && q.plan.as_number() < q.state.as_number();
                      },
                      "shrinking a volume replaces the server")},
                  .validators = {fw::between(1, 65536)}})
      .attribute("network_cidr", &state::network_cidr,
                 {.optional = true, .computed = true, .default_value = "10.0.0.0/24"})
      .attribute("tags", &state::tags, {.optional = true})
      .attribute("network_id", &state::network_id,
                 {.computed = true, .plan_modifiers = {use_state_for_unknown()}})
      .attribute("volume_id", &state::volume_id,
                 {.computed = true, .plan_modifiers = {use_state_for_unknown()}});
}

namespace {

bool contains(const http::json& array, const std::string& v) {
  for (const auto& x : array.as_array()) {
    if (x.is_string() && x.as_string() == v) return true;
  }
  return false;
}

http::json tags_json(const fw::attr<std::map<std::string, std::string>>& tags) {
  auto out = http::json::object();
  if (tags.has_value()) {
    for (const auto& [k, v] : *tags) out[k] = v;
  }
  return out;
}

// Copies what the API says into the state; only what a user configures or refers to (lean).
void fill(server::state& s, const http::json& srv, const http::json& net, const http::json& vol) {
  s.id = srv["id"].as_string();
  s.name = srv["name"].as_string();
  s.image = srv["image"].as_string();
  s.size = srv["size"].as_string();
  s.network_id = srv["network_id"].as_string();
  s.volume_id = srv["volume_id"].as_string();
  std::map<std::string, std::string> tags;
  for (const auto& [k, v] : srv["tags"].as_object()) tags.emplace(k, v.as_string());
  // An empty map and no tags at all mean the same to the API: keep what the user wrote.
  if (!tags.empty() || s.tags.has_value()) s.tags = std::move(tags);
  if (!net.is_null()) s.network_cidr = net["cidr"].as_string();
  if (!vol.is_null()) s.volume_size_gb = vol["size_gb"].as_int();
}

// Deletes what a failed create left behind; returns the ids it could not delete.
rt::task<std::vector<std::string>> clean_up(api& cloud,
                                            std::vector<std::pair<std::string, std::string>> made) {
  std::vector<rt::task<void>> deletes;
  for (auto& [kind, id] : made) deletes.push_back(cloud.remove(kind, id));
  auto outcomes = co_await rt::gather_settled(std::move(deletes));
  std::vector<std::string> left;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].ok()) left.push_back(made[i].second);
  }
  co_return left;
}

}  // namespace

rt::task<void> server::modify_plan(const fw::modify_plan_request<state>& req,
                                   fw::modify_plan_response<state>& resp) {
  // Image and size must exist in the region: one cached metadata fetch per process.
  if (!req.plan.image.has_value() && !req.plan.size.has_value()) co_return;
  const auto region = co_await cloud.region_info(cloud.region());
  if (req.plan.image.has_value() && !contains(region["images"], *req.plan.image)) {
    resp.diagnostics.add_error(fw::path::root("image"), "Unknown image",
                               "Region " + cloud.region() + " has no image \"" + *req.plan.image +
                                   "\". Available: " + region["images"].dump());
  }
  if (req.plan.size.has_value() && !contains(region["sizes"], *req.plan.size)) {
    resp.diagnostics.add_error(fw::path::root("size"), "Unknown size",
                               "Region " + cloud.region() + " has no size \"" + *req.plan.size +
                                   "\". Available: " + region["sizes"].dump());
  }
}

rt::task<void> server::create(const fw::create_request<state>& req,
                              fw::create_response<state>& resp) {
  const auto& p = req.plan;
  const auto key = new_idempotency_key();
  // The network and the volume do not depend on each other: create both at once.
  auto net_body = http::json::object({{"name", *p.name + "-net"}, {"cidr", *p.network_cidr}});
  auto vol_body = http::json::object({{"name", *p.name + "-vol"}, {"size_gb", *p.volume_size_gb}});
  auto [net, vol] = co_await rt::gather_settled(cloud.create("networks", net_body, key + "-net"),
                                                cloud.create("volumes", vol_body, key + "-vol"));
  std::vector<std::pair<std::string, std::string>> made;
  if (net.ok()) made.emplace_back("networks", net.value()["id"].as_string());
  if (vol.ok()) made.emplace_back("volumes", vol.value()["id"].as_string());
  std::string failure;
  if (!net.ok() || !vol.ok()) {
    failure = !net.ok() ? "network: " + net.error_message() : "volume: " + vol.error_message();
  } else {
    auto body = http::json::object({{"name", *p.name},
                                    {"image", *p.image},
                                    {"size", *p.size},
                                    {"network_id", net.value()["id"]},
                                    {"volume_id", vol.value()["id"]},
                                    {"tags", tags_json(p.tags)}});
    auto srv = co_await rt::settle(cloud.create("servers", body, key + "-srv"));
    if (srv.ok()) {
      fill(resp.state, srv.value(), net.value(), vol.value());
      resp.private_state.set("admin_password", srv.value()["admin_password"].as_string());
      co_return;
    }
    failure = "server: " + srv.error_message();
  }
  // Nothing half-made may outlive a failed create unnoticed.
  const auto left = co_await clean_up(cloud, made);
  std::string detail = "Creating " + failure;
  if (!left.empty()) {
    detail += "\nCould not delete what was created before the failure; delete by hand:";
    for (const auto& id : left) detail += " " + id;
  }
  resp.diagnostics.add_error("Could not create the server", detail);
}

rt::task<void> server::read(const fw::read_request<state>& req, fw::read_response<state>& resp) {
  const auto& s = req.state;
  http::json srv, net, vol;
  if (s.network_id.has_value() && s.volume_id.has_value()) {
    // Three reads in one batch window: the batcher turns them, with every other resource's
    // reads in flight, into one batch call per kind.
    auto all = co_await rt::gather(cloud.get("servers", s.id.value_or("")),
                                   cloud.get("networks", *s.network_id),
                                   cloud.get("volumes", *s.volume_id));
    srv = std::move(std::get<0>(all));
    net = std::move(std::get<1>(all));
    vol = std::move(std::get<2>(all));
  } else {  // just imported: only the id is known
    srv = co_await cloud.get("servers", s.id.value_or(""));
    if (!srv.is_null()) {
      auto both = co_await rt::gather(cloud.get("networks", srv["network_id"].as_string()),
                                      cloud.get("volumes", srv["volume_id"].as_string()));
      net = std::move(std::get<0>(both));
      vol = std::move(std::get<1>(both));
    }
  }
  if (srv.is_null()) {
    resp.remove();  // deleted outside Terraform: plan to create it again
    co_return;
  }
  fill(resp.state, srv, net, vol);
}

rt::task<void> server::update(const fw::update_request<state>& req,
                              fw::update_response<state>& resp) {
  const auto& p = req.plan;
  const auto& was = req.state;
  std::vector<rt::task<http::json>> calls;
  auto changes = http::json::object();
  if (p.name != was.name) changes["name"] = *p.name;
  if (p.image != was.image) changes["image"] = *p.image;
  if (p.size != was.size) changes["size"] = *p.size;
  if (p.tags != was.tags) changes["tags"] = tags_json(p.tags);
  if (!changes.empty()) calls.push_back(cloud.update("servers", *was.id, changes));
  if (p.network_cidr != was.network_cidr) {
    calls.push_back(
        cloud.update("networks", *was.network_id, http::json::object({{"cidr", *p.network_cidr}})));
  }
  if (p.volume_size_gb != was.volume_size_gb) {
    calls.push_back(cloud.update("volumes", *was.volume_id,
                                 http::json::object({{"size_gb", *p.volume_size_gb}})));
  }
  // Independent changes go out together.
  co_await rt::gather(std::move(calls));
  resp.state.id = was.id;
  resp.state.network_id = was.network_id;
  resp.state.volume_id = was.volume_id;
}

rt::task<void> server::destroy(const fw::destroy_request<state>& req, fw::destroy_response&) {
  const auto& s = req.state;
  co_await cloud.remove("servers", *s.id);
  // The server held them; once it is gone both can go at once.
  co_await rt::gather(cloud.remove("networks", *s.network_id),
                      cloud.remove("volumes", *s.volume_id));
}

rt::task<void> server::import_state(const fw::import_request& req,
                                    fw::import_response<state>& resp) {
  const auto srv = co_await cloud.get("servers", req.id);
  if (srv.is_null()) co_return;  // the framework reports "nothing to import"
  resp.state.id = req.id;        // read fills in the rest
  co_return;
}

// ---- cloud_region (data source) --------------------------------------------------------

fw::schema_for<region_data::state> region_data::schema() {
  return fw::schema_for<state>()
      .description("Zones, images and sizes of a region (cached for an hour per process).")
      .attribute("name", &state::name, {.optional = true, .computed = true})
      .attribute("display_name", &state::display_name, {.computed = true})
      .attribute("zones", &state::zones, {.computed = true})
      .attribute("images", &state::images, {.computed = true})
      .attribute("sizes", &state::sizes, {.computed = true});
}

rt::task<void> region_data::read(const fw::data_source_read_request<state>& req,
                                 fw::data_source_read_response<state>& resp) {
  const auto name = req.config.name.value_or(cloud.region());
  const auto r = co_await cloud.region_info(name);
  resp.state.name = name;
  resp.state.display_name = r["display_name"].as_string();
  resp.state.zones = strings_of(r["zones"]);
  resp.state.images = strings_of(r["images"]);
  resp.state.sizes = strings_of(r["sizes"]);
}

// ---- The provider --------------------------------------------------------------------------

void define(fw::provider<config, api>& p) {
  p.schema()
      .attribute("endpoint", &config::endpoint,
                 {.optional = true, .description = "API base URL; default $CLOUD_API_ENDPOINT."})
      .attribute("region", &config::region, {.optional = true, .description = "Default eu-west."})
      .attribute("token", &config::token, {.optional = true, .sensitive = true})
      .attribute("max_connections", &config::max_connections,
                 {.optional = true, .validators = {fw::between(1, 1024)}});
  p.configure([](const config& c, fw::diagnostics& d) -> std::shared_ptr<api> {
    std::string endpoint = c.endpoint.value_or("");
    if (endpoint.empty()) {
      if (const char* e = std::getenv("CLOUD_API_ENDPOINT")) endpoint = e;
    }
    if (endpoint.empty()) {
      d.add_error(fw::path::root("endpoint"), "No API endpoint",
                  "Set endpoint in the provider block or CLOUD_API_ENDPOINT.");
      return nullptr;
    }
    return std::make_shared<api>(endpoint, c.region.value_or("eu-west"), c.token.value_or(""),
                                 c.max_connections.value_or(0));
  });
  p.add_resource<server>();
  p.add_data_source<region_data>();
}

}  // namespace cloud
