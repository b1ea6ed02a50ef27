#include "train/dataset.h"

#include <cmath>

#include "embed/digits_csv_bytes.h"  // generated from build/_deps/digits/digits.csv (scripts/setup)
#include "sim/random.h"

namespace mantissa::train {

namespace {

using sim::RandomStream;

constexpr int kDigitsFeatures = 64;
constexpr double kPi = 3.14159265358979323846;

// Synthetic 2-D sets: point i of the whole set (train first, then test) uses
// uniform draws at counters 4i .. 4i+3 of the TrainData stream.
constexpr size_t kSyntheticTrain = 400, kSyntheticTest = 200;

void synthetic_point(std::string_view name, uint64_t seed, size_t i, float* x, int* y) {
  auto u = [&](int k) { return sim::random_uniform(seed, RandomStream::TrainData, 4 * i + k); };
  double px = 0, py = 0;
  int label = static_cast<int>(i % 2);
  if (name == "xor") {
    px = 2 * u(0) - 1;
    py = 2 * u(1) - 1;
    label = (px > 0) != (py > 0) ? 1 : 0;
  } else if (name == "circles") {
    // Class 0 inside radius 0.5, class 1 in the ring 0.7..1.
    const double r = label == 0 ? 0.5 * u(0) : 0.7 + 0.3 * u(0);
    double s, c;
    sim::portable_sincos(2 * kPi * u(1), &s, &c);
    px = r * c;
    py = r * s;
  } else {  // spiral: two arms, 1.5 turns each, a little radial noise
    const double t = u(0);
    double s, c;
    sim::portable_sincos(3 * kPi * t + label * kPi, &s, &c);
    const double r = 0.05 + 0.95 * t + 0.04 * (u(1) - 0.5);
    px = r * c;
    py = r * s;
  }
  x[0] = static_cast<float>(px);
  x[1] = static_cast<float>(py);
  *y = label;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"digits", "spiral", "circles", "xor"};
  return names;
}

std::string_view digits_csv() {
  return std::string_view(reinterpret_cast<const char*>(digits_csv_bytes), digits_csv_bytes_size);
}

bool parse_digits_csv(std::string_view csv, std::vector<uint8_t>* pixels, std::vector<int>* labels,
                      std::string* error) {
  pixels->clear();
  labels->clear();
  size_t pos = 0, row = 0;
  while (pos < csv.size()) {
    int values[kDigitsFeatures + 1];
    for (int k = 0; k <= kDigitsFeatures; ++k) {
      int v = 0, digits = 0;
      while (pos < csv.size() && csv[pos] >= '0' && csv[pos] <= '9' && digits < 3) {
        v = v * 10 + (csv[pos++] - '0');
        ++digits;
      }
      const char want = k == kDigitsFeatures ? '\n' : ',';
      if (digits == 0 || pos >= csv.size() || csv[pos] != want) {
        *error = "digits.csv row " + std::to_string(row + 1) + ": expected 65 integers separated by commas";
        return false;
      }
      ++pos;
      values[k] = v;
    }
    for (int k = 0; k < kDigitsFeatures; ++k) {
      if (values[k] > 16) return *error = "digits.csv row " + std::to_string(row + 1) + ": a pixel above 16", false;
      pixels->push_back(static_cast<uint8_t>(values[k]));
    }
    if (values[kDigitsFeatures] > 9) return *error = "digits.csv row " + std::to_string(row + 1) + ": label above 9", false;
    labels->push_back(values[kDigitsFeatures]);
    ++row;
  }
  return true;
}

bool load_dataset(std::string_view name, uint64_t data_seed, Dataset* out, std::string* error) {
  Dataset d;
  d.name = std::string(name);
  if (name == "digits") {
    std::vector<uint8_t> pixels;
    std::vector<int> labels;
    if (!parse_digits_csv(digits_csv(), &pixels, &labels, error)) return false;
    if (labels.size() != kDigitsRows) return *error = "digits.csv: expected 1797 rows", false;
    d.features = kDigitsFeatures;
    d.classes = 10;
    // The split: a Fisher-Yates permutation drawn from kSplitSeed; its first
    // 360 rows are the test set (in permuted order), the rest train.
    std::vector<size_t> order(kDigitsRows);
    for (size_t i = 0; i < kDigitsRows; ++i) order[i] = i;
    for (size_t i = kDigitsRows - 1; i > 0; --i) {
      const size_t j = sim::random_bits64(kSplitSeed, RandomStream::TrainShuffle, i) % (i + 1);
      std::swap(order[i], order[j]);
    }
    for (size_t n = 0; n < kDigitsRows; ++n) {
      const size_t row = order[n];
      const bool test = n < kDigitsTest;
      auto& xs = test ? d.test_x : d.train_x;
      for (int k = 0; k < kDigitsFeatures; ++k) xs.push_back(pixels[row * kDigitsFeatures + k] / 16.0f);
      (test ? d.test_y : d.train_y).push_back(labels[row]);
    }
  } else if (name == "spiral" || name == "circles" || name == "xor") {
    d.features = 2;
    d.classes = 2;
    for (size_t i = 0; i < kSyntheticTrain + kSyntheticTest; ++i) {
      float x[2];
      int y;
      synthetic_point(name, data_seed, i, x, &y);
      const bool test = i >= kSyntheticTrain;
      auto& xs = test ? d.test_x : d.train_x;
      xs.push_back(x[0]);
      xs.push_back(x[1]);
      (test ? d.test_y : d.train_y).push_back(y);
    }
  } else {
    *error = "--data: unknown data set '" + std::string(name.substr(0, 40)) + "' (digits, spiral, circles, xor)";
    return false;
  }
  *out = std::move(d);
  return true;
}

}  // namespace mantissa::train
