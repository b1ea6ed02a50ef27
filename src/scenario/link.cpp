// The share-link codec (see link.h for the format). Three layers, one file each:
//   1. text  <-> ordered key/value pairs (percent-encoding, or the compact
//      base64url payload): link_text.cpp,
//   2. pairs of an old version -> pairs of the current one (the upgrade
//      chain): link_upgrade.cpp,
//   3. pairs <-> Scenario through one table of fields, each with its key, its
//      panel and a checked setter (the only place a link's value is trusted):
//      link_fields.cpp, with the values' checks in link_values.cpp.
// This file puts them together: encoding, decoding and the JSON view.
#include "scenario/link.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/json.h"
#include "scenario/link_fields.h"
#include "scenario/link_text.h"
#include "scenario/link_upgrade.h"
#include "scenario/link_values.h"

namespace mantissa {
namespace {

using namespace link_detail;

std::vector<Pair> scenario_pairs(const Scenario& s, LinkScope scope) {
  static const Scenario defaults;
  std::vector<Pair> pairs;
  pairs.emplace_back("v", std::to_string(kLinkVersion));
  if (s.panel != defaults.panel) pairs.emplace_back("p", scenario_panel_key(s.panel));
  for (const Field& f : fields()) {
    if (scope == LinkScope::ActivePanel && f.panel != s.panel) continue;
    std::string value = f.get(s);
    if (value != f.get(defaults)) pairs.emplace_back(f.key, std::move(value));
  }
  return pairs;
}

}  // namespace

std::string scenario_json(const Scenario& s) {
  JsonWriter w;
  w.begin_object();
  w.field("panel", scenario_panel_key(s.panel));
  std::string_view open;  // the panel object being written ("inspector", ...)
  for (const auto& [member, key] : member_keys()) {
    const size_t dot = member.find('.');
    const std::string_view part = member.substr(0, dot), name = member.substr(dot + 1);
    if (part != open) {
      if (!open.empty()) w.end_object();
      w.key(part).begin_object();
      open = part;
    }
    const Field* f = find_field(key);
    const std::string text = f->get(s);
    w.key(name);
    switch (f->kind) {
      case FieldKind::Text:
        w.value(text);
        break;
      case FieldKind::Bool:
        w.value(text == "1");
        break;
      case FieldKind::Int:
        w.raw(text);
        break;
      case FieldKind::Double:  // shortest round-trip form; JSON has no inf/NaN
        if (std::isfinite(std::strtod(text.c_str(), nullptr))) {
          w.raw(text);
        } else {
          w.null();
        }
        break;
      case FieldKind::List: {
        w.begin_array();
        size_t start = 0;
        while (start < text.size()) {
          size_t comma = text.find(',', start);
          if (comma == std::string::npos) comma = text.size();
          w.value(text.substr(start, comma - start));
          start = comma + 1;
        }
        w.end_array();
        break;
      }
    }
  }
  if (!open.empty()) w.end_object();
  w.end_object();
  return w.str();
}

std::string encode_link_readable(const Scenario& s, LinkScope scope) {
  return join_readable(scenario_pairs(s, scope));
}

std::string encode_link(const Scenario& s, LinkScope scope) {
  const std::vector<Pair> pairs = scenario_pairs(s, scope);
  std::string readable = join_readable(pairs);
  if (readable.size() <= kLinkCompactThreshold) return readable;
  // The version stays readable; everything else goes into z.
  const std::vector<Pair> rest(pairs.begin() + 1, pairs.end());
  std::string compact = "v=" + std::to_string(kLinkVersion) + "&z=" + base64url_encode(pack_pairs(rest));
  return compact.size() < readable.size() ? compact : readable;
}

DecodedLink decode_link(std::string_view hash) {
  DecodedLink out;
  Notices notices(&out.notices);
  if (!hash.empty() && hash.front() == '#') hash.remove_prefix(1);
  if (hash.empty()) return out;
  if (hash.size() > kLinkMaxLength) {
    notices.add("ignored the whole link: " + std::to_string(hash.size()) + " characters is more than " +
                std::to_string(kLinkMaxLength));
    return out;
  }

  std::vector<Pair> pairs = split_readable(hash, &notices);

  // The compact form: v=N&z=PAYLOAD; the payload holds the other pairs.
  std::vector<Pair> unpacked;
  bool has_compact = false;
  for (auto it = pairs.begin(); it != pairs.end();) {
    if (it->first != "z") {
      ++it;
      continue;
    }
    std::string payload;
    if (has_compact) {
      notices.ignored("z", it->second, "repeated");
    } else if (!base64url_decode(it->second, &payload) || !unpack_pairs(payload, &unpacked)) {
      notices.ignored("z", it->second, "not a compact Mantissa link (damaged or truncated)");
      unpacked.clear();
    } else {
      out.compact = true;
    }
    has_compact = true;
    it = pairs.erase(it);
  }
  pairs.insert(pairs.end(), std::make_move_iterator(unpacked.begin()),
               std::make_move_iterator(unpacked.end()));

  // Which version wrote it: `v`, or version 0 when its keys look like one.
  out.version = kLinkVersion;
  bool has_version = false;
  for (auto it = pairs.begin(); it != pairs.end();) {
    if (it->first != "v") {
      ++it;
      continue;
    }
    int v = 0;
    if (has_version) {
      notices.ignored("v", it->second, "repeated");
    } else if (!parse_int(it->second, &v) || v < 0) {
      notices.ignored("v", it->second, "not a version; read as version " + std::to_string(kLinkVersion));
    } else if (v > kLinkVersion) {
      notices.add("this link is version " + std::to_string(v) + ", newer than this page (" +
                  std::to_string(kLinkVersion) + "): read what it can");
    } else {
      out.version = v;
    }
    has_version = true;
    it = pairs.erase(it);
  }
  if (!has_version) {
    const bool legacy = std::any_of(pairs.begin(), pairs.end(), [](const Pair& p) {
      return p.first == "panel" || p.first.find('.') != std::string::npos;
    });
    if (legacy) out.version = 0;
  }
  upgrade_pairs(out.version, &pairs, &notices);

  // Apply. A key given twice: the first wins (what was shared is what a
  // reader sees first when reading the link).
  std::vector<std::string_view> seen;
  for (const auto& [key, value] : pairs) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      notices.ignored(key, value, "repeated");
      continue;
    }
    if (key == "p") {
      seen.push_back(key);
      if (!parse_panel(value, &out.scenario.panel)) notices.ignored(key, value, "unknown panel");
      continue;
    }
    const Field* field = find_field(key);
    if (!field) {
      notices.ignored(key, value, "unknown key");
      continue;
    }
    seen.push_back(field->key);
    std::string why;
    const bool ok = field->set(out.scenario, value, &why);
    if (!ok || !why.empty()) notices.ignored(key, value, why);
  }
  return out;
}

}  // namespace mantissa
