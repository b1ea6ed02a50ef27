// A report in pieces, for the playground's worker pool: each worker scans its
// own tensors (whole tensors, so each tensor's sums keep their defined lane
// order) and hands back this text; merging the pieces in the files' tensor
// order rebuilds the InspectReport, and the totals and worst lists are then
// computed from it exactly as for one pass (format_totals adds tensors in
// report order). Doubles travel as their 64-bit patterns: a decimal
// round-trip would be exact too, but bit patterns also carry -0 and need no
// trust in either side's printing.
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tensors/tensor_stats.h"

namespace mantissa::tensors {

namespace {

using nlohmann::json;

// Marks the text as a piece of this version: a stale worker's piece is refused.
constexpr const char* kPartialVersion = "mantissa-inspect-partial-1";

std::string bits(double v) {
  uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  char buf[19];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(u));
  return buf;
}

bool unbits(const json& j, double* out) {
  if (!j.is_string()) return false;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.size() != 16) return false;
  uint64_t u = 0;
  for (char c : s) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    u = u << 4 | static_cast<uint64_t>(d);
  }
  std::memcpy(out, &u, sizeof u);
  return true;
}

json format_piece(const FormatStats& s) {
  json j = {{"format", s.format},
            {"overflow", s.overflow},
            {"subnormal", s.subnormal},
            {"flushed", s.flushed},
            {"exact", s.exact},
            {"measured", s.measured},
            {"sum_sq_signal", bits(s.sum_sq_signal)},
            {"sum_sq_error", bits(s.sum_sq_error)},
            {"max_abs_error", bits(s.max_abs_error)},
            {"rel_count", s.rel_count},
            {"sum_rel_error", bits(s.sum_rel_error)},
            {"max_rel_error", bits(s.max_rel_error)},
            {"lost_updates", s.lost_updates}};
  if (s.tensor_scale) j["tensor_scale"] = bits(*s.tensor_scale);
  return j;
}

json tensor_piece(const TensorStats& t) {
  json hist = json::array();
  for (const auto& [e, n] : t.log2_histogram) hist.push_back({e, n});
  json formats = json::array();
  for (const FormatStats& s : t.formats) formats.push_back(format_piece(s));
  return {{"file", t.file},   {"name", t.name},   {"dtype", t.dtype},     {"shape", t.shape},
          {"count", t.count}, {"zeros", t.zeros}, {"nans", t.nans},       {"infs", t.infs},
          {"finite", t.finite}, {"min", bits(t.min)}, {"max", bits(t.max)}, {"amax", bits(t.amax)},
          {"log2_histogram", hist}, {"formats", formats}};
}

// The fields every piece of one scan shares.
json setup_piece(const InspectReport& r) {
  json j = {{"formats", r.formats}, {"scale", r.scale == ScaleMode::Tensor ? "tensor" : "none"}};
  if (r.question) j["update"] = {bits(r.question->lr), bits(r.question->grad_std)};
  return j;
}

bool read_count(const json& j, const char* key, uint64_t* out) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return false;
  *out = it->get<uint64_t>();
  return true;
}

bool read_double(const json& j, const char* key, double* out) {
  const auto it = j.find(key);
  return it != j.end() && unbits(*it, out);
}

bool read_string(const json& j, const char* key, std::string* out) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool read_format(const json& j, FormatStats* s) {
  if (!j.is_object() || !read_string(j, "format", &s->format)) return false;
  if (!read_count(j, "overflow", &s->overflow) || !read_count(j, "subnormal", &s->subnormal) ||
      !read_count(j, "flushed", &s->flushed) || !read_count(j, "exact", &s->exact) ||
      !read_count(j, "measured", &s->measured) || !read_count(j, "rel_count", &s->rel_count) ||
      !read_count(j, "lost_updates", &s->lost_updates))
    return false;
  if (!read_double(j, "sum_sq_signal", &s->sum_sq_signal) || !read_double(j, "sum_sq_error", &s->sum_sq_error) ||
      !read_double(j, "max_abs_error", &s->max_abs_error) || !read_double(j, "sum_rel_error", &s->sum_rel_error) ||
      !read_double(j, "max_rel_error", &s->max_rel_error))
    return false;
  if (j.contains("tensor_scale")) {
    double scale;
    if (!read_double(j, "tensor_scale", &scale)) return false;
    s->tensor_scale = scale;
  }
  return true;
}

bool read_tensor(const json& j, size_t n_formats, TensorStats* t) {
  if (!j.is_object() || !read_string(j, "file", &t->file) || !read_string(j, "name", &t->name) ||
      !read_string(j, "dtype", &t->dtype))
    return false;
  const auto shape = j.find("shape");
  if (shape == j.end() || !shape->is_array()) return false;
  for (const json& d : *shape) {
    if (!d.is_number_unsigned()) return false;
    t->shape.push_back(d.get<uint64_t>());
  }
  if (!read_count(j, "count", &t->count) || !read_count(j, "zeros", &t->zeros) || !read_count(j, "nans", &t->nans) ||
      !read_count(j, "infs", &t->infs) || !read_count(j, "finite", &t->finite))
    return false;
  if (!read_double(j, "min", &t->min) || !read_double(j, "max", &t->max) || !read_double(j, "amax", &t->amax))
    return false;
  const auto hist = j.find("log2_histogram");
  if (hist == j.end() || !hist->is_array()) return false;
  for (const json& bin : *hist) {
    if (!bin.is_array() || bin.size() != 2 || !bin[0].is_number_integer() || !bin[1].is_number_unsigned())
      return false;
    t->log2_histogram[bin[0].get<int>()] = bin[1].get<uint64_t>();
  }
  const auto formats = j.find("formats");
  if (formats == j.end() || !formats->is_array() || formats->size() != n_formats) return false;
  for (const json& f : *formats) {
    FormatStats s;
    if (!read_format(f, &s)) return false;
    t->formats.push_back(std::move(s));
  }
  return true;
}

}  // namespace

std::string inspect_partial_json(const InspectReport& r) {
  json tensors = json::array();
  for (const TensorStats& t : r.tensors) tensors.push_back(tensor_piece(t));
  return json{{"partial", kPartialVersion}, {"setup", setup_piece(r)}, {"tensors", tensors}, {"notices", r.notices}}
      .dump();
}

bool merge_inspect_partials(const std::vector<std::string>& partials, InspectReport* result, std::string* error) {
  InspectReport merged = *result;  // *result is left as it was when a piece is refused
  InspectReport* out = &merged;
  std::optional<json> setup;
  for (size_t i = 0; i < partials.size(); ++i) {
    const std::string who = "inspect: piece " + std::to_string(i + 1);
    const json j = json::parse(partials[i], nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("partial") || j["partial"] != kPartialVersion ||
        !j.contains("setup"))
      return *error = who + " is not an inspect piece of this version", false;
    if (!setup) {
      setup = j["setup"];
      const json& s = *setup;
      if (!s.is_object() || !s.contains("formats") || !s["formats"].is_array())
        return *error = who + " names no formats", false;
      out->formats.clear();
      for (const json& f : s["formats"]) {
        if (!f.is_string()) return *error = who + " names no formats", false;
        out->formats.push_back(f.get<std::string>());
      }
      out->scale = s.contains("scale") && s["scale"] == "tensor" ? ScaleMode::Tensor : ScaleMode::None;
      out->question.reset();
      if (s.contains("update")) {
        const json& u = s["update"];
        UpdateQuestion q;
        if (!u.is_array() || u.size() != 2 || !unbits(u[0], &q.lr) || !unbits(u[1], &q.grad_std))
          return *error = who + " has a malformed update question", false;
        out->question = q;
      }
    } else if (j["setup"] != *setup) {
      return *error = who + " measured other formats, scale or update than piece 1", false;
    }
    const json& tensors = j.contains("tensors") ? j["tensors"] : json();
    const json& notices = j.contains("notices") ? j["notices"] : json();
    if (!tensors.is_array() || !notices.is_array()) return *error = who + " has no tensor list", false;
    for (const json& t : tensors) {
      TensorStats stats;
      if (!read_tensor(t, out->formats.size(), &stats)) return *error = who + " has a malformed tensor", false;
      out->tensors.push_back(std::move(stats));
    }
    for (const json& n : notices) {
      if (!n.is_string()) return *error = who + " has a malformed notice", false;
      out->notices.push_back(n.get<std::string>());
    }
  }
  if (!setup) return *error = "inspect: no pieces to merge", false;
  *result = std::move(merged);
  return true;
}

}  // namespace mantissa::tensors
