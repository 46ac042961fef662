/* The Encoding Standard's decoders (https://encoding.spec.whatwg.org/#encodings), one
 * handler per encoding family, run by one driver loop that implements the standard's
 * "process a queue": a handler gets one byte (or end-of-queue), may emit code points,
 * and answers continue, error or finished; it may "prepend" bytes to the stream, which
 * the driver then reads again before the rest of the input. Bytes prepended from the
 * decoder's own state (a lead byte read in an earlier chunk) are kept in d->pending, so
 * streaming works across any chunk boundary.
 *
 * UTF-8 keeps its own loop (utf8_decode): it is the hot path of TextDecoder and
 * Response.text(), and never needs pending bytes. */
#include <stdlib.h>
#include <string.h>

#include "../base/base.h"
#include "encoding.h"

enum { EOQ = -1 };
typedef enum { R_CONTINUE, R_ERROR, R_FINISHED } result_t;

/* The input being processed and where the last byte came from, so a handler can put it
 * back ("prepend byte to ioQueue"). */
typedef struct {
  const uint8_t *p;
  size_t n, i;
  bool from_pending;
} source_t;

static void push(isl_u16buf_t *b, uint32_t c) {
  if (b->len + 2 > b->cap) {
    b->cap = b->cap ? b->cap * 2 : 64;
    b->p = isl_realloc(b->p, b->cap * sizeof(uint16_t));
  }
  if (c >= 0x10000) {
    c -= 0x10000;
    b->p[b->len++] = (uint16_t)(0xD800 + (c >> 10));
    b->p[b->len++] = (uint16_t)(0xDC00 + (c & 0x3FF));
  } else {
    b->p[b->len++] = (uint16_t)c;
  }
}

/* Prepends a byte held in the decoder's state to the stream. */
static void pend_front(isl_decoder_t *d, uint8_t b) {
  ISL_CHECK(d->npending < sizeof(d->pending));
  memmove(d->pending + 1, d->pending, d->npending);
  d->pending[0] = b;
  d->npending++;
}

/* Prepends the byte just read (end-of-queue needs nothing: the driver offers it again). */
static void unread(isl_decoder_t *d, source_t *s, int byte) {
  if (byte == EOQ) return;
  if (s->from_pending) pend_front(d, (uint8_t)byte);
  else s->i--;
}

static bool is_ascii(int byte) { return byte >= 0 && byte <= 0x7F; }
static bool in(int byte, int lo, int hi) { return byte >= lo && byte <= hi; }

/* ---- UTF-8 (https://encoding.spec.whatwg.org/#utf-8-decoder) --------------------------- */

static void utf8_reset(isl_decoder_t *d) {
  d->code_point = 0;
  d->bytes_needed = d->bytes_seen = 0;
  d->lower = 0x80;
  d->upper = 0xBF;
}

/* Runs the UTF-8 decoder over p[0..n) and, when flush is set, the end of the stream.
 * Returns false on the first error in fatal mode. */
static bool utf8_decode(isl_decoder_t *d, const uint8_t *p, size_t n, bool flush,
                        isl_u16buf_t *out) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    if (d->bytes_needed == 0) {
      i++;
      if (b < 0x80) {
        push(out, b);
      } else if (b >= 0xC2 && b <= 0xDF) {
        d->bytes_needed = 1;
        d->code_point = b & 0x1Fu;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) d->lower = 0xA0;
        if (b == 0xED) d->upper = 0x9F;
        d->bytes_needed = 2;
        d->code_point = b & 0xFu;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) d->lower = 0x90;
        if (b == 0xF4) d->upper = 0x8F;
        d->bytes_needed = 3;
        d->code_point = b & 0x7u;
      } else {
        if (d->fatal) return false;
        push(out, 0xFFFD);
      }
      continue;
    }
    if (b < d->lower || b > d->upper) {
      /* An invalid continuation: the sequence so far is an error, and the byte is
       * "restored to the stream", i.e. processed again as a possible lead byte. */
      utf8_reset(d);
      if (d->fatal) return false;
      push(out, 0xFFFD);
      continue;
    }
    i++;
    d->lower = 0x80;
    d->upper = 0xBF;
    d->code_point = (d->code_point << 6) | (b & 0x3Fu);
    if (++d->bytes_seen == d->bytes_needed) {
      push(out, d->code_point);
      d->code_point = 0;
      d->bytes_needed = d->bytes_seen = 0;
    }
  }
  /* End of queue with an incomplete sequence: one error. */
  if (flush && d->bytes_needed != 0) {
    utf8_reset(d);
    if (d->fatal) return false;
    push(out, 0xFFFD);
  }
  return true;
}

/* ---- UTF-16BE/LE (https://encoding.spec.whatwg.org/#shared-utf-16-decoder) ------------- */

/* Steps 6-8 for a code unit that does not follow a lead surrogate. */
static result_t utf16_unit(isl_decoder_t *d, uint16_t cu, isl_u16buf_t *out) {
  if (cu >= 0xD800 && cu <= 0xDBFF) {
    d->u16_surrogate = cu;
    return R_CONTINUE;
  }
  if (cu >= 0xDC00 && cu <= 0xDFFF) return R_ERROR;
  push(out, cu);
  return R_CONTINUE;
}

static result_t h_utf16(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  (void)s;
  /* 1-2. End of queue: an error if a byte or a lead surrogate is pending. */
  if (byte == EOQ) {
    bool pending = d->u16_byte >= 0 || d->u16_surrogate;
    d->u16_byte = -1;
    d->u16_surrogate = 0;
    return pending ? R_ERROR : R_FINISHED;
  }
  /* 3. The first byte of a code unit. */
  if (d->u16_byte < 0) {
    d->u16_byte = byte;
    return R_CONTINUE;
  }
  /* 4. */
  uint16_t cu = d->enc == ISL_ENC_UTF16BE ? (uint16_t)(d->u16_byte << 8 | byte)
                                          : (uint16_t)(byte << 8 | d->u16_byte);
  d->u16_byte = -1;
  /* 5. After a lead surrogate: a trail surrogate completes the pair. Otherwise the lead
   * surrogate is an error and the code unit's two bytes are prepended to the stream,
   * which comes down to running steps 6-8 on the same code unit after the error. */
  if (d->u16_surrogate) {
    uint16_t lead = d->u16_surrogate;
    d->u16_surrogate = 0;
    if (cu >= 0xDC00 && cu <= 0xDFFF) {
      push(out, 0x10000 + ((uint32_t)(lead - 0xD800) << 10) + (cu - 0xDC00u));
      return R_CONTINUE;
    }
    if (d->fatal) return R_ERROR;
    push(out, 0xFFFD);
  }
  return utf16_unit(d, cu, out);
}

/* ---- Single-byte (https://encoding.spec.whatwg.org/#single-byte-decoder) --------------- */

/* The decoder has no state, so it needs no driver: one loop over the bytes. */
static bool single_byte_decode(isl_decoder_t *d, const uint8_t *p, size_t n,
                               isl_u16buf_t *out) {
  const uint16_t *index = isl_index_single_byte(d->enc);
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    uint32_t cp = b < 0x80 ? b : index[b - 0x80];
    if (!cp && b >= 0x80) {
      /* An unmapped byte is an error. */
      if (d->fatal) return false;
      cp = 0xFFFD;
    }
    push(out, cp);
  }
  return true;
}

/* ---- x-user-defined (https://encoding.spec.whatwg.org/#x-user-defined-decoder) --------- */

static result_t h_x_user_defined(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  (void)d, (void)s;
  if (byte == EOQ) return R_FINISHED;
  push(out, is_ascii(byte) ? (uint32_t)byte : 0xF780u + (uint32_t)byte - 0x80);
  return R_CONTINUE;
}

/* ---- replacement (https://encoding.spec.whatwg.org/#replacement-decoder) --------------- */

static result_t h_replacement(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  (void)out, (void)s;
  if (byte == EOQ) return R_FINISHED;
  /* One error for the whole stream, then nothing more is decoded. */
  if (!d->replaced) {
    d->replaced = true;
    return R_ERROR;
  }
  return R_FINISHED;
}

/* ---- gb18030 and GBK (https://encoding.spec.whatwg.org/#gb18030-decoder) --------------- */

static result_t h_gb18030(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  /* 1-2. */
  if (byte == EOQ) {
    bool pending = d->lead || d->second || d->third;
    d->lead = d->second = d->third = 0;
    return pending ? R_ERROR : R_FINISHED;
  }
  /* 3. A fourth byte. */
  if (d->third) {
    if (!in(byte, 0x30, 0x39)) {
      /* Prepend second, third and byte to the stream. */
      unread(d, s, byte);
      pend_front(d, d->third);
      pend_front(d, d->second);
      d->lead = d->second = d->third = 0;
      return R_ERROR;
    }
    uint32_t pointer = (uint32_t)(d->lead - 0x81) * (10 * 126 * 10) +
                       (uint32_t)(d->second - 0x30) * (10 * 126) +
                       (uint32_t)(d->third - 0x81) * 10 + (uint32_t)byte - 0x30;
    d->lead = d->second = d->third = 0;
    uint32_t cp = isl_index_gb18030_ranges(pointer);
    if (!cp) return R_ERROR;
    push(out, cp);
    return R_CONTINUE;
  }
  /* 4. A third byte. */
  if (d->second) {
    if (in(byte, 0x81, 0xFE)) {
      d->third = (uint8_t)byte;
      return R_CONTINUE;
    }
    unread(d, s, byte);
    pend_front(d, d->second);
    d->lead = d->second = 0;
    return R_ERROR;
  }
  /* 5. A second byte. */
  if (d->lead) {
    if (in(byte, 0x30, 0x39)) {
      d->second = (uint8_t)byte;
      return R_CONTINUE;
    }
    uint8_t lead = d->lead;
    d->lead = 0;
    uint32_t cp = 0;
    if (in(byte, 0x40, 0x7E) || in(byte, 0x80, 0xFE)) {
      unsigned offset = byte < 0x7F ? 0x40 : 0x41;
      cp = isl_index_gb18030((unsigned)(lead - 0x81) * 190 + (unsigned)byte - offset);
    }
    if (cp) {
      push(out, cp);
      return R_CONTINUE;
    }
    if (is_ascii(byte)) unread(d, s, byte);
    return R_ERROR;
  }
  /* 6-9. A first byte. */
  if (is_ascii(byte)) {
    push(out, (uint32_t)byte);
    return R_CONTINUE;
  }
  if (byte == 0x80) {
    push(out, 0x20AC);
    return R_CONTINUE;
  }
  if (in(byte, 0x81, 0xFE)) {
    d->lead = (uint8_t)byte;
    return R_CONTINUE;
  }
  return R_ERROR;
}

/* ---- Big5 (https://encoding.spec.whatwg.org/#big5-decoder) ----------------------------- */

static result_t h_big5(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  if (byte == EOQ) {
    bool pending = d->lead != 0;
    d->lead = 0;
    return pending ? R_ERROR : R_FINISHED;
  }
  if (d->lead) {
    uint8_t lead = d->lead;
    d->lead = 0;
    uint32_t cp = 0;
    if (in(byte, 0x40, 0x7E) || in(byte, 0xA1, 0xFE)) {
      unsigned offset = byte < 0x7F ? 0x40 : 0x62;
      unsigned pointer = (unsigned)(lead - 0x81) * 157 + (unsigned)byte - offset;
      /* Four pointers decode to a letter and a combining mark. */
      switch (pointer) {
        case 1133: push(out, 0x00CA), push(out, 0x0304); return R_CONTINUE;
        case 1135: push(out, 0x00CA), push(out, 0x030C); return R_CONTINUE;
        case 1164: push(out, 0x00EA), push(out, 0x0304); return R_CONTINUE;
        case 1166: push(out, 0x00EA), push(out, 0x030C); return R_CONTINUE;
      }
      cp = isl_index_big5(pointer);
    }
    if (cp) {
      push(out, cp);
      return R_CONTINUE;
    }
    if (is_ascii(byte)) unread(d, s, byte);
    return R_ERROR;
  }
  if (is_ascii(byte)) {
    push(out, (uint32_t)byte);
    return R_CONTINUE;
  }
  if (in(byte, 0x81, 0xFE)) {
    d->lead = (uint8_t)byte;
    return R_CONTINUE;
  }
  return R_ERROR;
}

/* ---- EUC-JP (https://encoding.spec.whatwg.org/#euc-jp-decoder) ------------------------- */

static result_t h_euc_jp(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  if (byte == EOQ) {
    bool pending = d->lead != 0;
    d->lead = 0;
    d->jis0212 = false;
    return pending ? R_ERROR : R_FINISHED;
  }
  /* 3. Half-width katakana. */
  if (d->lead == 0x8E && in(byte, 0xA1, 0xDF)) {
    d->lead = 0;
    push(out, 0xFF61u - 0xA1 + (uint32_t)byte);
    return R_CONTINUE;
  }
  /* 4. JIS X 0212 follows. */
  if (d->lead == 0x8F && in(byte, 0xA1, 0xFE)) {
    d->jis0212 = true;
    d->lead = (uint8_t)byte;
    return R_CONTINUE;
  }
  /* 5. A trail byte. */
  if (d->lead) {
    uint8_t lead = d->lead;
    d->lead = 0;
    uint32_t cp = 0;
    if (in(lead, 0xA1, 0xFE) && in(byte, 0xA1, 0xFE)) {
      unsigned pointer = (unsigned)(lead - 0xA1) * 94 + (unsigned)byte - 0xA1;
      cp = d->jis0212 ? isl_index_jis0212(pointer) : isl_index_jis0208(pointer);
    }
    d->jis0212 = false;
    if (cp) {
      push(out, cp);
      return R_CONTINUE;
    }
    if (is_ascii(byte)) unread(d, s, byte);
    return R_ERROR;
  }
  if (is_ascii(byte)) {
    push(out, (uint32_t)byte);
    return R_CONTINUE;
  }
  if (byte == 0x8E || byte == 0x8F || in(byte, 0xA1, 0xFE)) {
    d->lead = (uint8_t)byte;
    return R_CONTINUE;
  }
  return R_ERROR;
}

/* ---- ISO-2022-JP (https://encoding.spec.whatwg.org/#iso-2022-jp-decoder) --------------- */

enum { J_ASCII, J_ROMAN, J_KATAKANA, J_LEAD_BYTE, J_TRAIL_BYTE, J_ESCAPE_START, J_ESCAPE };

static result_t h_iso_2022_jp(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  switch (d->iso_state) {
    case J_ASCII:
    case J_ROMAN:
    case J_KATAKANA:
    case J_LEAD_BYTE:
      if (byte == 0x1B) {
        d->iso_state = J_ESCAPE_START;
        return R_CONTINUE;
      }
      if (byte == EOQ) return R_FINISHED;
      d->iso_output = false;
      if (d->iso_state == J_ASCII && is_ascii(byte) && byte != 0x0E && byte != 0x0F) {
        push(out, (uint32_t)byte);
        return R_CONTINUE;
      }
      if (d->iso_state == J_ROMAN && is_ascii(byte) && byte != 0x0E && byte != 0x0F) {
        push(out, byte == 0x5C ? 0xA5u : byte == 0x7E ? 0x203Eu : (uint32_t)byte);
        return R_CONTINUE;
      }
      if (d->iso_state == J_KATAKANA && in(byte, 0x21, 0x5F)) {
        push(out, 0xFF61u - 0x21 + (uint32_t)byte);
        return R_CONTINUE;
      }
      if (d->iso_state == J_LEAD_BYTE && in(byte, 0x21, 0x7E)) {
        d->lead = (uint8_t)byte;
        d->iso_state = J_TRAIL_BYTE;
        return R_CONTINUE;
      }
      return R_ERROR;
    case J_TRAIL_BYTE:
      if (byte == 0x1B) {
        d->iso_state = J_ESCAPE_START;
        return R_ERROR;
      }
      d->iso_state = J_LEAD_BYTE;
      if (in(byte, 0x21, 0x7E)) {
        uint32_t cp = isl_index_jis0208((unsigned)(d->lead - 0x21) * 94 + (unsigned)byte - 0x21);
        if (!cp) return R_ERROR;
        push(out, cp);
        return R_CONTINUE;
      }
      /* End of queue is prepended again (the driver offers it once more). */
      return R_ERROR;
    case J_ESCAPE_START:
      if (byte == 0x24 || byte == 0x28) {
        d->lead = (uint8_t)byte;
        d->iso_state = J_ESCAPE;
        return R_CONTINUE;
      }
      unread(d, s, byte);
      d->iso_output = false;
      d->iso_state = d->iso_out_state;
      return R_ERROR;
    case J_ESCAPE: {
      uint8_t lead = d->lead;
      d->lead = 0;
      int state = -1;
      if (lead == 0x28 && byte == 0x42) state = J_ASCII;
      else if (lead == 0x28 && byte == 0x4A) state = J_ROMAN;
      else if (lead == 0x28 && byte == 0x49) state = J_KATAKANA;
      else if (lead == 0x24 && (byte == 0x40 || byte == 0x42)) state = J_LEAD_BYTE;
      if (state >= 0) {
        d->iso_state = d->iso_out_state = (uint8_t)state;
        /* Two escape sequences in a row with nothing between them are an error. */
        bool output = d->iso_output;
        d->iso_output = true;
        return output ? R_ERROR : R_CONTINUE;
      }
      /* Prepend lead and byte (or only lead at the end of the queue). */
      unread(d, s, byte);
      pend_front(d, lead);
      d->iso_output = false;
      d->iso_state = d->iso_out_state;
      return R_ERROR;
    }
  }
  return R_ERROR;
}

/* ---- Shift_JIS (https://encoding.spec.whatwg.org/#shift_jis-decoder) ------------------- */

static result_t h_shift_jis(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  if (byte == EOQ) {
    bool pending = d->lead != 0;
    d->lead = 0;
    return pending ? R_ERROR : R_FINISHED;
  }
  if (d->lead) {
    uint8_t lead = d->lead;
    d->lead = 0;
    uint32_t cp = 0;
    if (in(byte, 0x40, 0x7E) || in(byte, 0x80, 0xFC)) {
      unsigned offset = byte < 0x7F ? 0x40 : 0x41;
      unsigned lead_offset = lead < 0xA0 ? 0x81 : 0xC1;
      unsigned pointer = (unsigned)(lead - lead_offset) * 188 + (unsigned)byte - offset;
      /* The user-defined area maps to the private use area. */
      if (pointer >= 8836 && pointer <= 10715) cp = 0xE000 - 8836 + pointer;
      else cp = isl_index_jis0208(pointer);
    }
    if (cp) {
      push(out, cp);
      return R_CONTINUE;
    }
    if (is_ascii(byte)) unread(d, s, byte);
    return R_ERROR;
  }
  if (is_ascii(byte) || byte == 0x80) {
    push(out, (uint32_t)byte);
    return R_CONTINUE;
  }
  if (in(byte, 0xA1, 0xDF)) {
    push(out, 0xFF61u - 0xA1 + (uint32_t)byte);
    return R_CONTINUE;
  }
  if (in(byte, 0x81, 0x9F) || in(byte, 0xE0, 0xFC)) {
    d->lead = (uint8_t)byte;
    return R_CONTINUE;
  }
  return R_ERROR;
}

/* ---- EUC-KR (https://encoding.spec.whatwg.org/#euc-kr-decoder) ------------------------- */

static result_t h_euc_kr(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s) {
  if (byte == EOQ) {
    bool pending = d->lead != 0;
    d->lead = 0;
    return pending ? R_ERROR : R_FINISHED;
  }
  if (d->lead) {
    uint8_t lead = d->lead;
    d->lead = 0;
    uint32_t cp = 0;
    if (in(byte, 0x41, 0xFE))
      cp = isl_index_euc_kr((unsigned)(lead - 0x81) * 190 + (unsigned)byte - 0x41);
    if (cp) {
      push(out, cp);
      return R_CONTINUE;
    }
    if (is_ascii(byte)) unread(d, s, byte);
    return R_ERROR;
  }
  if (is_ascii(byte)) {
    push(out, (uint32_t)byte);
    return R_CONTINUE;
  }
  if (in(byte, 0x81, 0xFE)) {
    d->lead = (uint8_t)byte;
    return R_CONTINUE;
  }
  return R_ERROR;
}

/* ---- The driver ------------------------------------------------------------------------ */

typedef result_t (*handler_t)(isl_decoder_t *d, int byte, isl_u16buf_t *out, source_t *s);

static handler_t handler_for(isl_enc_t enc) {
  switch (enc) {
    case ISL_ENC_GBK:
    case ISL_ENC_GB18030: return h_gb18030;
    case ISL_ENC_BIG5: return h_big5;
    case ISL_ENC_EUC_JP: return h_euc_jp;
    case ISL_ENC_ISO_2022_JP: return h_iso_2022_jp;
    case ISL_ENC_SHIFT_JIS: return h_shift_jis;
    case ISL_ENC_EUC_KR: return h_euc_kr;
    case ISL_ENC_REPLACEMENT: return h_replacement;
    case ISL_ENC_UTF16BE:
    case ISL_ENC_UTF16LE: return h_utf16;
    case ISL_ENC_X_USER_DEFINED: return h_x_user_defined;
    default: break;
  }
  ISL_CHECK(!"no handler");
  return NULL;
}

void isl_decoder_init(isl_decoder_t *d, isl_enc_t enc, bool fatal) {
  memset(d, 0, sizeof(*d));
  d->enc = enc;
  d->fatal = fatal;
  utf8_reset(d);
  d->u16_byte = -1;
}

bool isl_decoder_decode(isl_decoder_t *d, const uint8_t *p, size_t n, bool flush,
                        isl_u16buf_t *out) {
  if (d->enc == ISL_ENC_UTF8) {
    bool ok = utf8_decode(d, p, n, flush, out);
    if (flush) isl_decoder_init(d, d->enc, d->fatal);
    return ok;
  }
  if (d->enc >= ISL_ENC_IBM866 && d->enc <= ISL_ENC_X_MAC_CYRILLIC)
    return single_byte_decode(d, p, n, out);
  handler_t handle = handler_for(d->enc);
  source_t s = {p, n, 0, false};
  bool ok = true;
  for (;;) {
    int byte;
    if (d->npending) {
      byte = d->pending[0];
      memmove(d->pending, d->pending + 1, --d->npending);
      s.from_pending = true;
    } else if (s.i < n) {
      byte = p[s.i++];
      s.from_pending = false;
    } else if (flush) {
      byte = EOQ;
      s.from_pending = false;
    } else {
      break;
    }
    result_t r = handle(d, byte, out, &s);
    if (r == R_ERROR) {
      if (d->fatal) {
        ok = false;
        break;
      }
      push(out, 0xFFFD);
    } else if (r == R_FINISHED) {
      break;
    }
  }
  /* The end of the stream, or a fatal error: the next call starts a new stream. */
  if (flush || !ok) isl_decoder_init(d, d->enc, d->fatal);
  return ok;
}

void isl_encoding_decode(isl_enc_t fallback, const uint8_t *p, size_t n, isl_u16buf_t *out) {
  size_t bom;
  int enc = isl_encoding_bom_sniff(p, n, &bom);
  isl_decoder_t d;
  isl_decoder_init(&d, enc >= 0 ? (isl_enc_t)enc : fallback, false);
  isl_decoder_decode(&d, p + bom, n - bom, true, out);
}
