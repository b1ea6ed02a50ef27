// The data a network trains on: the UCI optical handwritten digits (embedded
// in the build, see README "Training a real network") and synthetic 2-D sets
// (spiral, circles, XOR, as TensorFlow Playground has them), all with a fixed,
// documented train/test split. Everything here is a pure function of its
// arguments: the same bits natively and in wasm.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mantissa::train {

struct Dataset {
  std::string name;  // "digits", "spiral", "circles", "xor"
  int features = 0;
  int classes = 0;
  // Row-major samples; every feature value is a small dyadic or a value
  // rounded to fp32, so it is exact in fp32 (and rounded per recipe on input).
  std::vector<float> train_x, test_x;
  std::vector<int> train_y, test_y;
  size_t train_size() const { return train_y.size(); }
  size_t test_size() const { return test_y.size(); }
};

// Names accepted by load_dataset, in display order.
const std::vector<std::string>& dataset_names();

// Builds a data set. digits: pixel counts 0..16 scaled by 1/16 (exact in every
// format a recipe uses); test set = 360 samples, chosen by a seeded
// permutation (seed kSplitSeed) of the 1,797 rows, the rest (1,437) train.
// Synthetic sets: 2 classes, 400 train + 200 test points drawn from
// `data_seed` (fp32 values in about [-1, 1]).
bool load_dataset(std::string_view name, uint64_t data_seed, Dataset* out, std::string* error);

constexpr uint64_t kSplitSeed = 20261201;
constexpr size_t kDigitsRows = 1797;
constexpr size_t kDigitsTest = 360;

// The embedded CSV's bytes (for the checksum test) and its parse: 1,797 rows
// of 64 pixel counts and a label. False with *error if the text is malformed.
std::string_view digits_csv();
bool parse_digits_csv(std::string_view csv, std::vector<uint8_t>* pixels, std::vector<int>* labels,
                      std::string* error);

}  // namespace mantissa::train
