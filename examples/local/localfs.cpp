#include "localfs.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

namespace localfs {

namespace {

namespace stdfs = std::filesystem;

std::string read_all(const stdfs::path& p, fw::diagnostics& d, const fw::path& at) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    d.add_error(at, "Could not read file", p.string() + ": cannot open");
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

// Writes through a temporary file and a rename, so a reader never sees half a file.
bool write_all(const stdfs::path& p, std::string_view content, const std::string& perms,
               fw::diagnostics& d) {
  std::error_code ec;
  if (p.has_parent_path()) stdfs::create_directories(p.parent_path(), ec);
  const auto tmp = stdfs::path(p.string() + ".tmp-cppvider");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      d.add_error(fw::path::root("path"), "Could not write file", tmp.string());
      return false;
    }
  }
  const auto mode = static_cast<mode_t>(std::stoul(perms, nullptr, 8));
  if (::chmod(tmp.c_str(), mode) != 0) {
    d.add_error(fw::path::root("permissions"), "Could not set permissions", tmp.string());
    return false;
  }
  stdfs::rename(tmp, p, ec);
  if (ec) {
    d.add_error(fw::path::root("path"), "Could not write file", p.string() + ": " + ec.message());
    return false;
  }
  return true;
}

std::string permissions_of(const stdfs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return {};
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(st.st_mode & 07777U));
  return buf.data();
}

}  // namespace

stdfs::path filesystem::resolve(std::string_view p) const {
  stdfs::path x{std::string(p)};
  return x.is_absolute() || root.empty() ? x : root / x;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &n, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4U];
    out += hex[md[i] & 15U];
  }
  return out;
}

fw::schema_for<file::state> file::schema() {
  using fw::requires_replace, fw::use_state_for_unknown;
  return fw::schema_for<state>()
      .description("A file on the local disk, written by Terraform.")
      .attribute("id", &state::id,
                 {.computed = true,
                  .description = "The resolved path.",
                  .plan_modifiers = {use_state_for_unknown()}})
      .attribute(
          "path", &state::path,
          {.required = true,
           .description = "Where the file lives; relative paths start at the provider's root. "
                          "Changing it replaces the file.",
           .plan_modifiers = {requires_replace()},
           .validators = {fw::length_at_least(1)}})
      .attribute("content", &state::content,
                 {.optional = true,
                  .description = "File content.",
                  .validators = {fw::exactly_one_of({"content_wo"})}})
      .attribute("content_wo", &state::content_wo,
                 {.optional = true,
                  .sensitive = true,
                  .write_only = true,
                  .description = "File content that Terraform never stores (Terraform 1.11+). "
                                 "Written on create and whenever content_wo_version changes."})
      .attribute("content_wo_version", &state::content_wo_version,
                 {.optional = true,
                  .description = "Change it to write content_wo again.",
                  .validators = {fw::also_requires({"content_wo"})}})
      .attribute("permissions", &state::permissions,
                 {.optional = true,
                  .computed = true,
                  .description = "Octal mode, four digits.",
                  .default_value = "0644",
                  .validators = {fw::matches_regex("^0[0-7]{3}$",
                                                   "must be four octal digits such as 0644")}})
      .attribute("sha256", &state::sha256,
                 {.computed = true,
                  .description = "Hex SHA-256 of the content; null for write-only content."});
}

namespace {
// What to write: the content, or the write-only content from the configuration.
const std::string& content_to_write(const file::state& config, const file::state& plan) {
  return plan.content.has_value() ? *plan.content : *config.content_wo;
}

// Private state remembers which form wrote the file, so read knows not to copy write-only
// content into state (an imported file, which also starts without content, gets it copied).
void remember_form(const file::state& plan, fw::private_state& priv) {
  if (plan.content.has_value()) {
    priv.erase("content");
  } else {
    priv.set("content", "write-only");
  }
}
}  // namespace

void file::modify_plan(const fw::modify_plan_request<state>& req,
                       fw::modify_plan_response<state>& resp) {
  // The checksum follows from the content: known at plan time whenever the content is.
  if (req.plan.content.has_value()) resp.plan.sha256 = sha256_hex(*req.plan.content);
  if (req.config.content_wo.has_value()) resp.plan.sha256 = std::nullopt;
}

void file::create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
  const auto p = fs.resolve(req.plan.path.value());
  if (stdfs::exists(p)) {
    resp.diagnostics.add_error(fw::path::root("path"), "File already exists",
                               p.string() + " exists; import it or choose another path.");
    return;
  }
  const auto& content = content_to_write(req.config, req.plan);
  if (!write_all(p, content, *req.plan.permissions, resp.diagnostics)) return;
  resp.state.id = p.string();
  if (req.plan.content.has_value()) resp.state.sha256 = sha256_hex(content);
  remember_form(req.plan, resp.private_state);
}

void file::read(const fw::read_request<state>& req, fw::read_response<state>& resp) {
  const auto p = fs.resolve(req.state.path.value_or(req.state.id.value_or("")));
  if (!stdfs::exists(p)) return resp.remove();
  auto content = read_all(p, resp.diagnostics, fw::path::root("path"));
  if (resp.diagnostics.has_error()) return;
  resp.state.id = p.string();
  if (resp.state.path.is_null()) resp.state.path = p.string();
  resp.state.permissions = permissions_of(p);
  // Write-only content is not in state to compare with: only the content form detects drift.
  if (req.private_state.get("content") == "write-only") return;
  resp.state.sha256 = sha256_hex(content);
  resp.state.content = std::move(content);
}

void file::update(const fw::update_request<state>& req, fw::update_response<state>& resp) {
  const auto p = fs.resolve(req.plan.path.value());
  if (req.plan.content.is_null() && req.plan.content_wo_version == req.state.content_wo_version) {
    // Write-only content, same version: only the permissions can have changed.
    std::error_code ec;
    stdfs::permissions(p, static_cast<stdfs::perms>(std::stoul(*req.plan.permissions, nullptr, 8)),
                       ec);
    if (ec)
      resp.diagnostics.add_error(fw::path::root("permissions"), "Could not set permissions",
                                 ec.message());
    return;
  }
  const auto& content = content_to_write(req.config, req.plan);
  if (!write_all(p, content, *req.plan.permissions, resp.diagnostics)) return;
  if (req.plan.content.has_value()) resp.state.sha256 = sha256_hex(content);
  remember_form(req.plan, resp.private_state);
}

void file::destroy(const fw::destroy_request<state>& req, fw::destroy_response& resp) {
  std::error_code ec;
  stdfs::remove(fs.resolve(req.state.path.value()), ec);
  if (ec) resp.diagnostics.add_error("Could not delete file", ec.message());
}

void file::import_state(const fw::import_request& req, fw::import_response<state>& resp) {
  resp.state.id = req.id;
  resp.state.path = req.id;
  // ReadResource runs next and fills in the rest.
}

fw::schema_for<file_data::state> file_data::schema() {
  return fw::schema_for<state>()
      .description("Reads a file from the local disk.")
      .attribute("path", &state::path, {.required = true})
      .attribute("content", &state::content, {.computed = true})
      .attribute("sha256", &state::sha256, {.computed = true})
      .attribute("size", &state::size, {.computed = true});
}

void file_data::read(const fw::data_source_read_request<state>& req,
                     fw::data_source_read_response<state>& resp) {
  const auto p = fs.resolve(req.config.path.value());
  if (!stdfs::exists(p)) {
    resp.diagnostics.add_error(fw::path::root("path"), "File not found", p.string());
    return;
  }
  auto content = read_all(p, resp.diagnostics, fw::path::root("path"));
  if (resp.diagnostics.has_error()) return;
  resp.state.size = static_cast<std::int64_t>(content.size());
  resp.state.sha256 = sha256_hex(content);
  resp.state.content = std::move(content);
}

fw::schema_for<lock::state> lock::schema() {
  return fw::schema_for<state>()
      .description("An exclusive lock file, held while Terraform runs and removed at the end.")
      .attribute("path", &state::path,
                 {.required = true,
                  .description = "The lock file; opening fails while it exists.",
                  .validators = {fw::length_at_least(1)}})
      .attribute("id", &state::id, {.computed = true, .description = "The resolved path."})
      .attribute("token", &state::token,
                 {.computed = true,
                  .sensitive = true,
                  .description = "A random token, the lock file's content."});
}

void lock::open(const fw::open_request<state>& req, fw::open_response<state>& resp) {
  const auto p = fs.resolve(req.config.path.value());
  std::array<unsigned char, 16> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    resp.diagnostics.add_error("Could not make a lock token", "the random generator failed");
    return;
  }
  std::string token;
  for (const unsigned char c : raw) {
    constexpr std::string_view hex = "0123456789abcdef";
    token += hex[c >> 4U];
    token += hex[c & 15U];
  }
  // O_EXCL: exactly one opener wins, even against another Terraform run at the same moment.
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    resp.diagnostics.add_error(
        fw::path::root("path"), "Could not take the lock",
        p.string() + ": " +
            (err == EEXIST ? std::string("already held") : std::generic_category().message(err)));
    return;
  }
  const bool written =
      ::write(fd, token.data(), token.size()) == static_cast<ssize_t>(token.size());
  ::close(fd);
  if (!written) {
    std::error_code ec;
    stdfs::remove(p, ec);
    resp.diagnostics.add_error(fw::path::root("path"), "Could not take the lock",
                               p.string() + ": write failed");
    return;
  }
  resp.result.id = p.string();
  resp.result.token = token;
  // Close receives only this: where the lock is and what proves it is ours.
  resp.private_state.set("path", p.string());
  resp.private_state.set("token", token);
}

void lock::close(const fw::close_request& req, fw::close_response& resp) {
  const auto path = req.private_state.get("path");
  const auto token = req.private_state.get("token");
  if (!path || !token) {
    resp.diagnostics.add_error("Could not release the lock", "its private state is missing");
    return;
  }
  fw::diagnostics ignored;
  if (read_all(*path, ignored, {}) != *token) {
    resp.diagnostics.add_warning("Lock not released",
                                 *path + " no longer holds this run's token; left as it is.");
    return;
  }
  std::error_code ec;
  stdfs::remove(*path, ec);
  if (ec) resp.diagnostics.add_error("Could not release the lock", *path + ": " + ec.message());
}

void define(fw::provider<config, filesystem>& p) {
  p.schema()
      .description("Files on the local disk.")
      .attribute("root", &config::root,
                 {.optional = true, .description = "Base directory for relative paths."});
  p.configure([](const config& c) { return filesystem{c.root.value_or("")}; });
  p.add_resource<file>();
  p.add_data_source<file_data>();
  p.add_ephemeral_resource<lock>();

  // provider::localfs::sha256("text"): the checksum the file resource computes, for configs.
  p.add_function(fw::function("sha256", [](const std::string& text) { return sha256_hex(text); })
                     .summary("Hex SHA-256 of a string")
                     .description("The same checksum localfs_file reports for this content.")
                     .parameter("text", {.description = "The content to hash."}));
  // provider::localfs::join_path("a", "b", "c.txt") -> "a/b/c.txt"
  p.add_function(fw::function("join_path",
                              [](const std::string& first, const fw::variadic<std::string>& rest) {
                                std::filesystem::path out(first);
                                for (const auto& part : rest.values) out /= part;
                                return out.lexically_normal().generic_string();
                              })
                     .summary("Joins path segments")
                     .parameter("first", {.description = "The first segment."})
                     .parameter("rest", {.description = "More segments, in order."}));
  // provider::localfs::parse_permissions("0640") -> 416; an error names the argument.
  p.add_function(fw::function("parse_permissions",
                              [](const std::string& octal) {
                                const bool valid =
                                    octal.size() == 4 && octal[0] == '0' &&
                                    octal.find_first_not_of("01234567") == std::string::npos;
                                if (!valid) {
                                  throw fw::function_error(
                                      0, "\"" + octal + "\" is not four octal digits such as 0644");
                                }
                                return static_cast<std::int64_t>(std::stoul(octal, nullptr, 8));
                              })
                     .summary("File permissions from octal text")
                     .parameter("octal", {.description = "Four octal digits, such as 0644."}));
}

}  // namespace localfs
