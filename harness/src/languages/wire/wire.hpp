// evalrun: writes a case's value as JSON on standard output (harness/src/languages/values.rs).
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>
namespace evalrun_wire {
inline void put(std::string& o, bool v);
inline void put(std::string& o, const std::string& s);
inline void put(std::string& o, const char* s);
inline void put(std::string& o, std::nullopt_t);
template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0> void put(std::string& o, T v);
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0> void put(std::string& o, T v);
template <class T> void put(std::string& o, const std::vector<T>& v);
template <class... T> void put(std::string& o, const std::tuple<T...>& t);
template <class A, class B> void put(std::string& o, const std::pair<A, B>& p);
template <class K, class V> void put(std::string& o, const std::map<K, V>& m);
template <class K, class V> void put(std::string& o, const std::unordered_map<K, V>& m);
template <class T> void put(std::string& o, const std::optional<T>& v);

inline void put(std::string& o, bool v) { o += v ? "true" : "false"; }
template <class T, std::enable_if_t<std::is_integral_v<T>, int>> void put(std::string& o, T v) {
    o += std::to_string(v);
}
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int>> void put(std::string& o, T v) {
    if (std::isnan(v)) {
        o += "{\"$float\":\"nan\"}";
    } else if (std::isinf(v)) {
        o += v > 0 ? "{\"$float\":\"inf\"}" : "{\"$float\":\"-inf\"}";
    } else {
        char b[40];
        std::snprintf(b, sizeof b, "%.17g", static_cast<double>(v));
        o += b;
    }
}
inline void put(std::string& o, const std::string& s) {
    o += '"';
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += static_cast<char>(c);
        }
    }
    o += '"';
}
inline void put(std::string& o, const char* s) { put(o, std::string(s)); }
inline void put(std::string& o, std::nullopt_t) { o += "null"; }
template <class T> void put(std::string& o, const std::vector<T>& v) {
    o += '[';
    for (std::size_t i = 0; i < v.size(); i++) {
        if (i) o += ',';
        put(o, static_cast<T>(v[i]));
    }
    o += ']';
}
template <class... T> void put(std::string& o, const std::tuple<T...>& t) {
    o += '[';
    bool first = true;
    std::apply([&](const auto&... x) { ((o += first ? "" : ",", first = false, put(o, x)), ...); }, t);
    o += ']';
}
template <class A, class B> void put(std::string& o, const std::pair<A, B>& p) {
    o += '[';
    put(o, p.first);
    o += ',';
    put(o, p.second);
    o += ']';
}
template <class M> void put_map(std::string& o, const M& m) {
    o += "{\"$map\":[";
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) o += ',';
        first = false;
        o += '[';
        put(o, k);
        o += ',';
        put(o, v);
        o += ']';
    }
    o += "]}";
}
template <class K, class V> void put(std::string& o, const std::map<K, V>& m) { put_map(o, m); }
template <class K, class V> void put(std::string& o, const std::unordered_map<K, V>& m) { put_map(o, m); }
template <class T> void put(std::string& o, const std::optional<T>& v) {
    if (v) {
        put(o, *v);
    } else {
        o += "null";
    }
}
template <class T> void emit(int index, const T& value) {
    std::string o = "\n\x01" "evalrun:" + std::to_string(index) + ":";
    put(o, value);
    o += '\n';
    std::fflush(stdout);
    std::fwrite(o.data(), 1, o.size(), stdout);
    std::fflush(stdout);
}
}  // namespace evalrun_wire
