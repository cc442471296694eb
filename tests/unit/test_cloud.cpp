// Class layouts and the estimator choice.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "engine/sliced_engine.hpp"
#include "wow/cloud.hpp"
#include "wow/errors.hpp"

TEST_CASE("cloud: ClassLayout uniform and from_sizes", "[cloud]") {
  const auto u = wow::ClassLayout::uniform(3, 4);
  CHECK(u.classes() == 3);
  CHECK(u.rows() == 12);
  CHECK(u.offsets == std::vector<std::size_t>{0, 4, 8, 12});
  CHECK(u.equal_sizes());
  const auto s = wow::ClassLayout::from_sizes({5, 7, 6});
  CHECK(s.classes() == 3);
  CHECK(s.rows() == 18);
  CHECK(s.size(1) == 7);
  CHECK(s.offsets == std::vector<std::size_t>{0, 5, 12, 18});
  CHECK_FALSE(s.equal_sizes());
  CHECK(wow::ClassLayout::from_sizes({2}).equal_sizes());
  CHECK(wow::ClassLayout{}.classes() == 0);
}

TEST_CASE("cloud: require_finite names class, point and coordinate", "[cloud]") {
  wow::LabeledCloud<double> c;
  c.layout = wow::ClassLayout::from_sizes({2, 3});
  c.dim = 2;
  c.points.assign(10, 1.0);
  CHECK_NOTHROW(wow::require_finite(c, "source"));
  c.points[2 * 3 + 1] = std::numeric_limits<double>::quiet_NaN();  // row 3 = class 1, point 1, coordinate 1
  CHECK_THROWS_WITH(wow::require_finite(c, "source"), Catch::Contains("source") && Catch::Contains("class 1") &&
                                                          Catch::Contains("point 1") &&
                                                          Catch::Contains("coordinate 1"));
  const auto f = c.cast<float>();
  CHECK_THROWS_AS(wow::require_finite(f, "target"), wow::InputError);
}

TEST_CASE("engine: resolve_estimator", "[engine]") {
  using wow::Estimator;
  const auto eq6 = wow::ClassLayout::uniform(3, 6);
  const auto eq6b = wow::ClassLayout::uniform(2, 6);
  const auto eq5 = wow::ClassLayout::uniform(2, 5);
  const auto uneq = wow::ClassLayout::from_sizes({5, 7, 6});
  CHECK(wow::resolve_estimator(Estimator::Auto, eq6, eq6b) == Estimator::Sorted);
  CHECK(wow::resolve_estimator(Estimator::Auto, eq6, eq5) == Estimator::Quantile);
  CHECK(wow::resolve_estimator(Estimator::Auto, uneq, eq6) == Estimator::Quantile);
  CHECK(wow::resolve_estimator(Estimator::Auto, eq6, uneq) == Estimator::Quantile);
  CHECK(wow::resolve_estimator(Estimator::Sorted, eq6, eq6b) == Estimator::Sorted);
  CHECK(wow::resolve_estimator(Estimator::Quantile, eq6, eq6b) == Estimator::Quantile);
  CHECK_THROWS_AS(wow::resolve_estimator(Estimator::Sorted, uneq, eq6), wow::InputError);
  CHECK_THROWS_WITH(wow::resolve_estimator(Estimator::Sorted, eq6, eq5),
                    Catch::Contains("projections.params.estimator"));
}
