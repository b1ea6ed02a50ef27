// Share links: a Scenario as a URL hash and back (the model is Compiler
// Explorer's url-serialization: a schema version and an upgrade chain, so
// every link ever shared keeps loading).
//
// Readable form (version 1), only non-default values written:
//   v=1&p=add&a=1.125&af=fp16&b=0.12457275190625&bf=fp16&in=fp16
// Compact form, used only when the readable one would exceed
// kLinkCompactThreshold characters (e.g. a 5,000-digit decimal):
//   v=1&z=<base64url of the same key/value pairs, digits packed two per byte>
//
// Keys of version 1 (every panel's inputs have their own keys, so a link can
// hold the whole scenario; the embed writes the active panel's only):
//   v       schema version                p     panel: inspect | add | train | landscape | blocks
//                                                | tensors | dot | network
//   Inspector   x value, xf bits' format, xr rounding mode, xs seed, xsat, xftz,
//               xc custom format row, xfocus focused row (xf, xc, xfocus and lf
//               also take e8m0 and int8-mx)
//   Addition    op (add|sub|mul|fma), a b c operands, af bf cf their formats,
//               in arithmetic format, r rounding mode, s seed, sat, ftz,
//               cmp compare with fp32, step selected step (-1 = all)
//   Training    w0, inc, lr, g gradient ("normal:MEAN:STD"), ts seed, gf gradient
//               format, n steps, st strategies (comma list), ls loss scale,
//               pop population, init population's initial weights (normal:M:S,
//               uniform:LO:HI), ref reference (stored|exact), vx0 vx1 vy0 vy1
//               view ranges, logerr, sel selected step
//   Landscape   lf formats (comma list), lx0 lx1 x range, llog log x axis,
//               llogy log |error| y axis (0: linear relative error),
//               lb a block format drawn beside them (mxfp4, ...; empty: none),
//               lbe its block scale exponent (-127..127: elements times 2^lbe)
//   Blocks      bk block format (mxfp4 | mxfp6-e2m3 | mxfp6-e3m2 | mxfp8-e4m3 |
//               mxfp8-e5m2 | mxint8 | nvfp4), bkr scale rule (ocp|ceil), bkm
//               element rounding mode, bks its seed, bkv values (comma list of
//               at most 64 numbers; empty: generated), bkg generator (normal |
//               uniform | outlier), bkn how many (1..64), bkgs generator seed,
//               bko the outlier's value (replaces the largest magnitude)
//   Tensors     tf target formats (comma list), tlr learning rate, tgs gradient
//               magnitude (tlr and tgs together), tsc scale (none|tensor).
//               Never the files: a link says what to measure, not what was dropped.
//   Accumulation  di inputs' format, dd distribution (normal:M:S, uniform:LO:HI),
//               dk K values (comma list, each 1..65536, at most 24), dacc
//               accumulators (';' list: tc:fma=N,neab=E holds commas; at most 8),
//               dn trials (1..100000), ds seed; the block walkthrough: dwacc its
//               tc: model, dwa dwb hand-typed a and b (comma lists, empty: a
//               random example), dwc c, dwx the random example's number.
//               Added with their defaults (the DeepSeek-V3 preset), so older v1
//               links keep their meaning. Sizes past the limits of scenario.h
//               (K = 10^9, trials = 10^9) are ignored with a notice.
//   Network     nd data set (digits|spiral|circles|xor), nds data seed, nm model
//               ("2-16-16-2", empty: the data's default), nopt optimizer
//               ("sgd:lr=0.1,momentum=0.9", "adam:lr=0.001"), nr recipes (the
//               --recipes list as typed), ne epochs, nb batch, ns seed, nsub
//               training subset (0: all), nlw loss weight (1e-12 to 1; added
//               with its default 1, so older links keep their meaning):
//               `mantissa train`'s options, checked by its parsers; the run
//               re-trains to the same bits
// A key added with its default value (llogy, lb, bk..., tf..., d..., n...) leaves every older link of the
// same version meaning what it meant: the version changes only when a key's
// meaning changes, and then upgrade_vN_to_vN+1 translates.
// Booleans are 1/0; numbers as typed; formats, modes and strategies are
// canonicalised ("half" becomes "fp16"). Characters outside
// [A-Za-z0-9-._~:,+!*/@] are percent-encoded; '+' is a plus, never a space.
//
// Version 0 (legacy: the codec's first draft, before `v=`) wrote the
// Scenario's own field names: panel=Addition&addition.a_format=fp16, with
// ';' between list items and true/false booleans. upgrade_v0_to_v1 reads it.
//
// Decoding never fails: unknown keys, bad values, bad percent-escapes or a
// broken compact payload are skipped (the field keeps its default) and named
// in `notices` ("ignored af=fp17: unknown format"). Work is linear in the
// input and bounded (kLinkMaxLength, kLinkMaxParts); no exceptions.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace mantissa {

constexpr int kLinkVersion = 1;
constexpr size_t kLinkCompactThreshold = 2000;  // characters of the readable form
constexpr size_t kLinkMaxLength = 8u << 20;     // longer hashes are not read at all
constexpr size_t kLinkMaxParts = 256;           // key=value parts read; the rest are ignored
constexpr size_t kLinkMaxNotices = 20;          // then one "... and N more"

enum class LinkScope {
  Everything,   // every panel's non-default inputs: reopening gives the same state everywhere
  ActivePanel,  // the active panel's only (embeds)
};

// The hash for a scenario, without the leading '#'. Readable unless that
// would exceed kLinkCompactThreshold characters and the compact form is shorter.
std::string encode_link(const Scenario& s, LinkScope scope = LinkScope::Everything);
// Always the readable form.
std::string encode_link_readable(const Scenario& s, LinkScope scope = LinkScope::Everything);

struct DecodedLink {
  Scenario scenario;                 // defaults wherever the link said nothing usable
  std::vector<std::string> notices;  // one short sentence per ignored part
  int version = kLinkVersion;        // schema version the link was written in (0 = legacy)
  bool compact = false;              // it was the compact form
};

// Reads a hash (with or without its leading '#'). An empty hash gives the
// default scenario and no notices.
DecodedLink decode_link(std::string_view hash);

// The scenario as a JSON object named after scenario.h's members:
//   {"panel": "add", "inspector": {"value": "1.12156456132", ...}, "addition": {...},
//    "training": {...}, "landscape": {...}, "accumulation": {...}}
// (what the JS API's decodeScenario returns; its encodeScenario reads the same
// names, as "panel=add&addition.a=1.5" pairs, through the version 0 path).
// Seeds are JSON numbers: above 2^53 JavaScript rounds them.
std::string scenario_json(const Scenario& s);

}  // namespace mantissa
