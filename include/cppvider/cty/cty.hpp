#pragma once
// Everything in the cty layer: types, values, paths, the msgpack and JSON codecs, conversions.
// See docs/cty.md.

#include <cppvider/cty/convert.hpp>
#include <cppvider/cty/error.hpp>
#include <cppvider/cty/json.hpp>
#include <cppvider/cty/msgpack.hpp>
#include <cppvider/cty/number.hpp>
#include <cppvider/cty/path.hpp>
#include <cppvider/cty/type.hpp>
#include <cppvider/cty/type_json.hpp>
#include <cppvider/cty/value.hpp>
