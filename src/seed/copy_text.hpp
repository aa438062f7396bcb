// PostgreSQL COPY text-format helpers (pure).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace se::seed {

// Appends a field escaped for COPY ... (FORMAT text): backslash, tab, newline, CR.
inline void copy_field(std::string& out, std::string_view v) {
  for (char ch : v) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
}

// Hex EWKB of POINT(lng lat) with SRID 4326: what geography/geometry input accepts, and
// cheaper for the server to parse than WKT.
inline void ewkb_point_hex(std::string& out, double lat, double lng) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += "0101000020E6100000";  // little endian, Point | SRID flag, SRID 4326
  for (double v : {lng, lat}) {
    unsigned char bytes[8];
    std::memcpy(bytes, &v, 8);  // x86-64 and aarch64 are little endian, as the header says
    for (unsigned char b : bytes) {
      out += hex[b >> 4];
      out += hex[b & 0xf];
    }
  }
}

// Row builder: fields separated by tabs, rows ended by a newline.
class CopyRow {
 public:
  explicit CopyRow(std::string& buf) : buf_(buf) {}
  CopyRow& text(std::string_view v) {
    sep();
    copy_field(buf_, v);
    return *this;
  }
  CopyRow& null() {
    sep();
    buf_ += "\\N";
    return *this;
  }
  CopyRow& num(long long v) {
    sep();
    buf_ += std::to_string(v);
    return *this;
  }
  CopyRow& boolean(bool v) {
    sep();
    buf_ += v ? 't' : 'f';
    return *this;
  }
  CopyRow& tenths(int v) {  // numeric(2,1) from tenths: 41 -> "4.1"
    sep();
    buf_ += std::to_string(v / 10);
    buf_ += '.';
    buf_ += static_cast<char>('0' + v % 10);
    return *this;
  }
  CopyRow& point(double lat, double lng) {
    sep();
    ewkb_point_hex(buf_, lat, lng);
    return *this;
  }
  void end() { buf_ += '\n'; }

 private:
  void sep() {
    if (!first_) buf_ += '\t';
    first_ = false;
  }
  std::string& buf_;
  bool first_ = true;
};

}  // namespace se::seed
