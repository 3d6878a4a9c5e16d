/* evs-text-reader.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-text-reader"

#include "config.h"

#include "evs-error.h"
#include "evs-file-source.h"
#include "evs-reader-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Text recordings (FORMATS.md §5): one event per line.  The layout is
 * detected from a sample of the first lines, never asked for:
 *
 * - a preamble of empty lines, “#”/“%” comment lines (“# key value” lines,
 *   as the CSV writer writes them, become header entries; “%geometry:W,H”
 *   gives the geometry), header lines whose first field is not a number
 *   (the last one with known column names names the columns) and the
 *   E2VID first line “width height”;
 * - the delimiter: comma (with optional spaces around), else tabs/spaces;
 * - the columns, from the header names (t/ts/timestamp, x, y, p/pol/
 *   polarity/on) or else from the values: the polarity column holds only
 *   0/1/±1/true/false, the time column holds decimals or grows;
 * - the time unit: decimals are seconds (µs above 1e11), integers are µs.
 *
 * Seconds are converted to µs exactly by parsing the integer and fraction
 * digits separately and rounding half away from zero on the 7th decimal,
 * which is llround (t * 1e6) without the double rounding that loses
 * precision on absolute ROS times like 1468939993.067416019.
 *
 * Data lines are read one at a time from the file source; a line longer
 * than 4 KiB or one that is not an event is an error naming its line
 * number and byte offset. */

#define MAX_LINE          4096
#define MAX_PREAMBLE_LINE (64 * 1024)
#define SAMPLE_BYTES      (1024 * 1024)
#define SAMPLE_LINES      1000
#define MAX_FIELDS        32
#define MAX_HEADER_KEYS   256

typedef enum
{
  DELIM_WHITESPACE,
  DELIM_COMMA,
} Delimiter;

typedef struct
{
  const char *s;
  const char *e;
} Field;

#define EVS_TYPE_TEXT_READER (evs_text_reader_get_type ())
G_DECLARE_FINAL_TYPE (EvsTextReader, evs_text_reader, EVS, TEXT_READER, EvsReader)

struct _EvsTextReader
{
  EvsReader      parent_instance;
  EvsFileSource *source;
  guint64        data_offset;
  guint64        data_line;
  guint64        line;          /* 1-based number of the next line */
  Delimiter      delimiter;
  guint          n_fields;
  guint          col_t;
  guint          col_x;
  guint          col_y;
  guint          col_p;
  guint          time_shift;    /* decimal digits to shift: 6 for seconds, 0 for µs */
};

G_DEFINE_FINAL_TYPE (EvsTextReader, evs_text_reader, EVS_TYPE_READER)

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* Splits [s, e) into at most MAX_FIELDS fields; returns the number of
 * fields, or MAX_FIELDS + 1 when there are more. */
static guint
split_fields (const char *s,
              const char *e,
              Delimiter   delimiter,
              Field      *fields)
{
  guint n = 0;

  if (delimiter == DELIM_COMMA)
    {
      for (;;)
        {
          const char *fs = s, *fe;
          const char *comma = memchr (s, ',', e - s);

          fe = comma != NULL ? comma : e;
          if (n == MAX_FIELDS)
            return MAX_FIELDS + 1;
          while (fs < fe && is_blank (*fs))
            fs++;
          while (fe > fs && is_blank (fe[-1]))
            fe--;
          fields[n].s = fs;
          fields[n].e = fe;
          n++;
          if (comma == NULL)
            break;
          s = comma + 1;
        }
      return n;
    }

  for (;;)
    {
      const char *fs;

      while (s < e && is_blank (*s))
        s++;
      if (s == e)
        break;
      fs = s;
      while (s < e && !is_blank (*s))
        s++;
      if (n == MAX_FIELDS)
        return MAX_FIELDS + 1;
      fields[n].s = fs;
      fields[n].e = s;
      n++;
    }
  return n;
}

static const guint64 pow10_table[] = {
  1, 10, 100, 1000, 10000, 100000, 1000000,
};

/* A decimal number [+-]digits[.digits] shifted left by @shift decimal
 * digits and rounded half away from zero, without going through double.
 * With an exponent the value goes through double and llround(). */
static gboolean
parse_time (const char *s,
            const char *e,
            guint       shift,
            gint64     *out)
{
  const char *p = s;
  gboolean neg = FALSE;
  guint64 ip = 0, frac = 0;
  guint64 scale = pow10_table[shift];
  guint n_int = 0, n_frac = 0;
  gboolean round_up = FALSE;
  guint64 mag, limit;

  if (p < e && (*p == '-' || *p == '+'))
    neg = *p++ == '-';

  limit = (guint64) G_MAXINT64 + (neg ? 1 : 0);
  for (; p < e && g_ascii_isdigit (*p); p++, n_int++)
    {
      guint64 d = (guint64) (*p - '0');

      if (ip > (limit - d) / 10)
        return FALSE;
      ip = ip * 10 + d;
    }

  if (p < e && *p == '.')
    {
      p++;
      for (; p < e && g_ascii_isdigit (*p); p++, n_frac++)
        {
          if (n_frac < shift)
            frac = frac * 10 + (guint64) (*p - '0');
          else if (n_frac == shift)
            round_up = *p >= '5';
        }
    }

  if (n_int + n_frac == 0)
    return FALSE;

  if (p < e && (*p == 'e' || *p == 'E'))
    {
      char buf[64];
      char *endptr;
      double v;

      if ((gsize) (e - s) >= sizeof buf)
        return FALSE;
      memcpy (buf, s, e - s);
      buf[e - s] = '\0';
      v = g_ascii_strtod (buf, &endptr);
      if (*endptr != '\0' || !isfinite (v))
        return FALSE;
      v *= (double) scale;
      if (!(v > -9.2e18 && v < 9.2e18))
        return FALSE;
      *out = (gint64) llround (v);
      return TRUE;
    }

  if (p != e)
    return FALSE;

  for (guint k = MIN (n_frac, shift); k < shift; k++)
    frac *= 10;

  if (ip > (limit - scale) / scale && !(shift == 0 && !round_up))
    return FALSE;
  mag = ip * scale + frac + (round_up ? 1 : 0);
  if (mag > limit)
    return FALSE;
  *out = neg ? (gint64) (0 - mag) : (gint64) mag;

  return TRUE;
}

/* A coordinate: an unsigned integer below 2^16, optionally followed by
 * “.0…” as numpy's savetxt writes it. */
static inline gboolean
parse_coord (const char *s,
             const char *e,
             guint16    *out)
{
  guint v = 0;

  if (s == e)
    return FALSE;
  if (*s == '+')
    s++;
  if (s == e || !g_ascii_isdigit (*s))
    return FALSE;
  for (; s < e && g_ascii_isdigit (*s); s++)
    {
      v = v * 10 + (guint) (*s - '0');
      if (v > G_MAXUINT16)
        return FALSE;
    }
  if (s < e && *s == '.')
    for (s++; s < e; s++)
      if (*s != '0')
        return FALSE;
  if (s != e)
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

typedef enum
{
  POL_NONE = 0,
  POL_01 = 1 << 0,
  POL_PM1 = 1 << 1,
  POL_BOOL = 1 << 2,
} PolarityKind;

/* 0/1, −1/+1 (also as 1.0, -1.0), true/false in any case. */
static inline gboolean
parse_polarity (const char   *s,
                const char   *e,
                guint8       *out,
                PolarityKind *kind)
{
  gsize len = e - s;
  const char *d;

  if (len == 1)
    {
      if (*s == '1' || *s == '0')
        {
          *out = *s == '1';
          *kind = POL_01;
          return TRUE;
        }
      return FALSE;
    }

  if (len == 4 && g_ascii_strncasecmp (s, "true", 4) == 0)
    {
      *out = 1;
      *kind = POL_BOOL;
      return TRUE;
    }
  if (len == 5 && g_ascii_strncasecmp (s, "false", 5) == 0)
    {
      *out = 0;
      *kind = POL_BOOL;
      return TRUE;
    }

  d = s;
  if (*d == '-' || *d == '+')
    d++;
  if (d == e || (*d != '0' && *d != '1'))
    return FALSE;
  if (d + 1 < e)
    {
      const char *f = d + 1;

      if (*f != '.')
        return FALSE;
      for (f++; f < e; f++)
        if (*f != '0')
          return FALSE;
    }
  if (*d == '0')
    {
      *out = 0;
      *kind = POL_01;
    }
  else
    {
      *out = *s != '-';
      *kind = *s == '-' || *s == '+' ? POL_PM1 : POL_01;
    }
  return TRUE;
}

static gboolean
looks_numeric (const Field *f)
{
  const char *s = f->s;

  if (s == f->e)
    return FALSE;
  if (*s == '-' || *s == '+')
    s++;
  if (s < f->e && *s == '.')
    s++;
  return s < f->e && g_ascii_isdigit (*s);
}

static void
set_line_error (EvsTextReader  *self,
                GError        **error,
                guint64         line,
                guint64         offset,
                const char     *what)
{
  g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
               "“%s”, line %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "): %s",
               evs_file_source_get_path (self->source), line, offset, what);
}

/* Parses one data line (without its newline); %FALSE with @what set when
 * it is not an event. */
static inline gboolean
parse_event (EvsTextReader  *self,
             const char     *s,
             const char     *e,
             gint64         *t,
             guint16        *x,
             guint16        *y,
             guint8         *p,
             const char    **what)
{
  Field fields[MAX_FIELDS];
  PolarityKind kind;
  guint n = split_fields (s, e, self->delimiter, fields);

  if (n != self->n_fields)
    {
      *what = "wrong number of fields";
      return FALSE;
    }
  if (!parse_time (fields[self->col_t].s, fields[self->col_t].e, self->time_shift, t))
    {
      *what = "the time is not a number";
      return FALSE;
    }
  if (!parse_coord (fields[self->col_x].s, fields[self->col_x].e, x))
    {
      *what = "x is not an integer in 0…65535";
      return FALSE;
    }
  if (!parse_coord (fields[self->col_y].s, fields[self->col_y].e, y))
    {
      *what = "y is not an integer in 0…65535";
      return FALSE;
    }
  if (!parse_polarity (fields[self->col_p].s, fields[self->col_p].e, p, &kind))
    {
      *what = "the polarity is not 0/1, -1/1 or true/false";
      return FALSE;
    }
  return TRUE;
}

static gboolean
evs_text_reader_decode (EvsReader      *reader,
                        EvsEventChunk  *chunk,
                        GError        **error)
{
  EvsTextReader *self = (EvsTextReader *) reader;

  while (evs_event_chunk_get_free (chunk) > 0)
    {
      const char *data;
      const char *nl;
      gsize avail;
      gsize len, used;
      guint64 offset = evs_file_source_tell (self->source);
      const char *what = NULL;
      gint64 t;
      guint16 x, y;
      guint8 p;

      data = (const char *) evs_file_source_peek (self->source, &avail);
      if (avail <= MAX_LINE)
        {
          if (!evs_file_source_fill (self->source, MAX_LINE + 1, error))
            return FALSE;
          data = (const char *) evs_file_source_peek (self->source, &avail);
        }
      if (avail == 0)
        break;

      nl = memchr (data, '\n', MIN (avail, MAX_LINE + 1));
      if (nl == NULL)
        {
          if (avail > MAX_LINE)
            {
              set_line_error (self, error, self->line, offset,
                              "the line is longer than 4096 bytes");
              return FALSE;
            }
          /* The last line, without a newline */
          len = avail;
          used = avail;
        }
      else
        {
          len = nl - data;
          used = len + 1;
        }
      if (len > 0 && data[len - 1] == '\r')
        len--;

      {
        const char *s = data, *e = data + len;

        while (s < e && is_blank (*s))
          s++;
        if (s == e || *s == '#' || *s == '%')
          {
            evs_file_source_consume (self->source, used);
            self->line++;
            continue;
          }
        if (!parse_event (self, s, e, &t, &x, &y, &p, &what))
          {
            set_line_error (self, error, self->line, offset, what);
            return FALSE;
          }
      }

      evs_event_chunk_push (chunk, t, x, y, p);
      evs_file_source_consume (self->source, used);
      self->line++;
    }

  return TRUE;
}

static void
evs_text_reader_tell (EvsReader         *reader,
                      EvsReaderPosition *position)
{
  EvsTextReader *self = (EvsTextReader *) reader;

  position->offset = evs_file_source_tell (self->source);
  position->state[0] = self->line;
}

static gboolean
evs_text_reader_restore (EvsReader                *reader,
                         const EvsReaderPosition  *position,
                         GError                  **error)
{
  EvsTextReader *self = (EvsTextReader *) reader;
  gboolean ok = position->offset >= self->data_offset
                && position->offset <= evs_file_source_get_size (self->source)
                && position->state[0] >= self->data_line;

  if (ok && position->offset > self->data_offset)
    {
      char c = 0;

      /* Resume only at the start of a line. */
      if (evs_file_source_pread (self->source, &c, 1, position->offset - 1, error) != 1)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          ok = FALSE;
        }
      ok = ok && c == '\n';
    }

  if (!ok)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Byte %" G_GUINT64_FORMAT " is not the start of a data line in “%s”",
                   position->offset, evs_file_source_get_path (self->source));
      return FALSE;
    }

  if (!evs_file_source_seek (self->source, position->offset, error))
    return FALSE;
  self->line = position->state[0];

  return TRUE;
}

static void
evs_text_reader_finalize (GObject *object)
{
  EvsTextReader *self = (EvsTextReader *) object;

  g_clear_pointer (&self->source, evs_file_source_free);

  G_OBJECT_CLASS (evs_text_reader_parent_class)->finalize (object);
}

static void
evs_text_reader_class_init (EvsTextReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsReaderClass *reader_class = EVS_READER_CLASS (klass);

  object_class->finalize = evs_text_reader_finalize;

  reader_class->decode = evs_text_reader_decode;
  reader_class->tell = evs_text_reader_tell;
  reader_class->restore = evs_text_reader_restore;
}

static void
evs_text_reader_init (EvsTextReader *self)
{
}

/* Detection */

typedef struct
{
  gboolean numeric;     /* every value parses as a time */
  gboolean integer;     /* every value is an integer */
  gboolean coord;       /* every value is a coordinate */
  gboolean polarity;    /* every value is a polarity */
  gboolean has_dot;
  guint    kinds;       /* PolarityKind seen */
  guint64  decreases;
  double   max_abs;
  double   last;
} ColumnStats;

static int
column_for_name (const Field *f)
{
  static const struct { const char *name; int col; } names[] = {
    { "t", 0 }, { "ts", 0 }, { "time", 0 }, { "timestamp", 0 }, { "timestamps", 0 },
    { "t_us", 0 }, { "timestamp_us", 0 }, { "time_us", 0 }, { "t_s", 0 }, { "time_s", 0 },
    { "x", 1 }, { "xs", 1 },
    { "y", 2 }, { "ys", 2 },
    { "p", 3 }, { "ps", 3 }, { "pol", 3 }, { "polarity", 3 }, { "on", 3 },
  };
  gsize len = f->e - f->s;
  const char *s = f->s;

  /* Quoted names, as some CSV writers emit */
  if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
    {
      s++;
      len -= 2;
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strlen (names[i].name) == len && g_ascii_strncasecmp (names[i].name, s, len) == 0)
      return names[i].col;
  return -1;
}

/* “# key value” → header entry */
static void
record_comment (EvsRecordingInfo *info,
                const char       *s,
                const char       *e,
                guint            *n_keys)
{
  const char *k, *ke, *v, *ve;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  s++;
  while (s < e && is_blank (*s))
    s++;
  k = s;
  while (s < e && !is_blank (*s))
    s++;
  ke = s;
  while (s < e && is_blank (*s))
    s++;
  v = s;
  ve = e;
  while (ve > v && is_blank (ve[-1]))
    ve--;

  if (k == ke || *n_keys >= MAX_HEADER_KEYS)
    return;

  key = g_strndup (k, ke - k);
  value = g_strndup (v, ve - v);
  if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
    return;
  evs_recording_info_add_header (info, key, value);
  (*n_keys)++;
}

/* “%geometry:W,H” (OpenEB's standalone EVT3 decoder) */
static gboolean
parse_geometry_comment (const char *s,
                        const char *e,
                        guint      *width,
                        guint      *height)
{
  g_autofree char *text = g_strndup (s, e - s);
  guint64 w, h;
  char *comma;

  if (!g_str_has_prefix (text, "%geometry:"))
    return FALSE;
  comma = strchr (text, ',');
  if (comma == NULL)
    return FALSE;
  *comma = '\0';
  if (!g_ascii_string_to_unsigned (text + 10, 10, 1, 65536, &w, NULL)
      || !g_ascii_string_to_unsigned (g_strstrip (comma + 1), 10, 1, 65536, &h, NULL))
    return FALSE;
  *width = (guint) w;
  *height = (guint) h;
  return TRUE;
}

static void
update_stats (ColumnStats *c,
              const Field *f,
              gboolean     first)
{
  gint64 v;
  guint16 coord;
  guint8 pol;
  PolarityKind kind;
  double d;

  if (c->polarity && parse_polarity (f->s, f->e, &pol, &kind))
    c->kinds |= kind;
  else
    c->polarity = FALSE;

  if (c->coord && !parse_coord (f->s, f->e, &coord))
    c->coord = FALSE;

  if (!c->numeric)
    return;
  if (parse_time (f->s, f->e, 6, &v))
    d = (double) v / 1e6;
  else if (parse_time (f->s, f->e, 0, &v))
    d = (double) v;
  else
    {
      c->numeric = FALSE;
      return;
    }
  if (memchr (f->s, '.', f->e - f->s) != NULL || memchr (f->s, 'e', f->e - f->s) != NULL
      || memchr (f->s, 'E', f->e - f->s) != NULL)
    {
      c->has_dot = TRUE;
      c->integer = FALSE;
    }
  if (!first && d < c->last)
    c->decreases++;
  c->last = d;
  c->max_abs = MAX (c->max_abs, fabs (d));
}

static const char *
pol_description (guint kinds)
{
  if (kinds & POL_BOOL)
    return "true/false";
  if (kinds & POL_PM1)
    return "±1";
  return "0/1";
}

EvsReader *
_evs_text_reader_new (const char  *path,
                      GError     **error)
{
  g_autoptr(EvsTextReader) self = NULL;
  EvsRecordingInfo *info;
  const char *data;
  gsize avail;
  gsize pos = 0;
  guint64 line = 1;
  guint n_header_lines = 0;
  guint n_keys = 0;
  gboolean have_data = FALSE;
  gboolean have_names = FALSE;
  gboolean have_geometry = FALSE;
  gboolean e2vid = FALSE;
  gboolean tabs = FALSE;
  int names[4] = { -1, -1, -1, -1 };
  guint n_name_fields = 0;
  guint n_sample = 0;
  guint n_fields = 0;
  ColumnStats stats[MAX_FIELDS];
  static const char *letters[4] = { "t", "x", "y", "p" };
  g_autoptr(GString) detail = g_string_new ("text: columns ");

  self = g_object_new (EVS_TYPE_TEXT_READER, NULL);
  info = _evs_reader_get_info_mut (EVS_READER (self));

  self->source = evs_file_source_open (path, error);
  if (self->source == NULL)
    return NULL;

  info->format = EVS_FORMAT_TEXT;
  info->file_size = evs_file_source_get_size (self->source);

  if (!evs_file_source_fill (self->source, SAMPLE_BYTES, error))
    return NULL;
  data = (const char *) evs_file_source_peek (self->source, &avail);

  /* A UTF-8 byte order mark, as spreadsheet programs write */
  if (avail >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;

  for (guint i = 0; i < MAX_FIELDS; i++)
    stats[i] = (ColumnStats) { TRUE, TRUE, TRUE, TRUE, FALSE, 0, 0, 0.0, 0.0 };

  /* Walk the sample: the preamble, then up to SAMPLE_LINES data lines. */
  while (pos < avail && n_sample < SAMPLE_LINES)
    {
      const char *s = data + pos;
      const char *nl = memchr (s, '\n', avail - pos);
      const char *e;
      gsize used;
      Field fields[MAX_FIELDS];
      guint n;

      if (nl == NULL)
        {
          /* An unterminated line counts only at the end of the file. */
          if (evs_file_source_tell (self->source) + avail < info->file_size)
            {
              if (avail - pos > (have_data ? MAX_LINE : MAX_PREAMBLE_LINE))
                {
                  set_line_error (self, error, line, pos, "the line is too long");
                  return NULL;
                }
              break;
            }
          e = data + avail;
          used = avail - pos;
        }
      else
        {
          e = nl;
          used = nl - s + 1;
        }
      if ((gsize) (e - s) > (have_data ? MAX_LINE : MAX_PREAMBLE_LINE))
        {
          set_line_error (self, error, line, pos, "the line is too long");
          return NULL;
        }
      if (e > s && e[-1] == '\r')
        e--;
      while (s < e && is_blank (*s))
        s++;

      if (s == e || *s == '#' || *s == '%')
        {
          if (!have_data && s < e)
            {
              if (*s == '#')
                record_comment (info, s, e, &n_keys);
              else if (!have_geometry
                       && parse_geometry_comment (s, e, &info->width, &info->height))
                have_geometry = TRUE;
              n_header_lines++;
            }
          pos += used;
          line++;
          continue;
        }

      n = split_fields (s, e, memchr (s, ',', e - s) != NULL ? DELIM_COMMA : DELIM_WHITESPACE,
                        fields);

      if (!have_data)
        {
          if (n > MAX_FIELDS)
            {
              set_line_error (self, error, line, pos, "more than 32 fields");
              return NULL;
            }
          if (!looks_numeric (&fields[0]))
            {
              int found[4] = { -1, -1, -1, -1 };
              gboolean all = TRUE;

              for (guint i = 0; i < n; i++)
                {
                  int c = column_for_name (&fields[i]);

                  if (c >= 0 && found[c] < 0)
                    found[c] = (int) i;
                }
              for (guint c = 0; c < 4; c++)
                all = all && found[c] >= 0;
              if (all)
                {
                  memcpy (names, found, sizeof names);
                  have_names = TRUE;
                  n_name_fields = n;
                }
              n_header_lines++;
              pos += used;
              line++;
              continue;
            }
          if (n == 2 && !have_names && !have_geometry && !e2vid && n_header_lines == 0)
            {
              guint16 w, h;

              if (parse_coord (fields[0].s, fields[0].e, &w)
                  && parse_coord (fields[1].s, fields[1].e, &h) && w > 0 && h > 0)
                {
                  info->width = w;
                  info->height = h;
                  e2vid = TRUE;
                  have_geometry = TRUE;
                  n_header_lines++;
                  pos += used;
                  line++;
                  continue;
                }
            }

          /* The first data line fixes the delimiter and the field count. */
          have_data = TRUE;
          self->data_offset = pos;
          self->data_line = line;
          self->delimiter = memchr (s, ',', e - s) != NULL ? DELIM_COMMA : DELIM_WHITESPACE;
          tabs = memchr (s, '\t', e - s) != NULL;
          n_fields = n;
          if (have_names && n != n_name_fields)
            {
              set_line_error (self, error, line, pos,
                              "the first data line has not as many fields as the header");
              return NULL;
            }
          if (n < 4 || n > MAX_FIELDS)
            {
              set_line_error (self, error, line, pos,
                              "an event line needs 4 fields (t x y p in some order)");
              return NULL;
            }
        }
      else
        {
          n = split_fields (s, e, self->delimiter, fields);
          if (n != n_fields)
            {
              set_line_error (self, error, line, pos, "wrong number of fields");
              return NULL;
            }
        }

      for (guint i = 0; i < n; i++)
        update_stats (&stats[i], &fields[i], n_sample == 0);
      n_sample++;
      pos += used;
      line++;
    }

  if (!have_data && !have_names)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNKNOWN_FORMAT,
                   "“%s” holds no event lines in its first %" G_GSIZE_FORMAT " bytes", path,
                   pos);
      return NULL;
    }

  if (!have_data)
    {
      /* A header and no events: an empty recording. */
      self->data_offset = pos;
      self->data_line = line;
      self->delimiter = DELIM_COMMA;
      n_fields = n_name_fields;
    }

  self->n_fields = n_fields;

  if (have_names)
    {
      self->col_t = names[0];
      self->col_x = names[1];
      self->col_y = names[2];
      self->col_p = names[3];
    }
  else
    {
      /* t x y p | x y t p | x y p t, by the values */
      static const guint layouts[3][4] = { { 0, 1, 2, 3 }, { 2, 0, 1, 3 }, { 3, 0, 1, 2 } };
      int best = -1, best_score = -1;

      if (n_fields != 4)
        {
          set_line_error (self, error, self->data_line, self->data_offset,
                          "without a header line naming the columns an event line needs "
                          "exactly 4 fields");
          return NULL;
        }

      for (guint l = 0; l < 3; l++)
        {
          const ColumnStats *ct = &stats[layouts[l][0]];
          const ColumnStats *cx = &stats[layouts[l][1]];
          const ColumnStats *cy = &stats[layouts[l][2]];
          const ColumnStats *cp = &stats[layouts[l][3]];
          int score = 0;

          if (!ct->numeric || !cx->coord || !cy->coord || !cp->polarity)
            continue;
          if (ct->has_dot)
            score += 8;
          if (ct->decreases == 0)
            score += 4;
          if (ct->max_abs >= cx->max_abs && ct->max_abs >= cy->max_abs)
            score += 2;
          if (l == 0)
            score += 1;
          if (score > best_score)
            {
              best_score = score;
              best = (int) l;
            }
        }

      if (best < 0)
        {
          set_line_error (self, error, self->data_line, self->data_offset,
                          "cannot tell which columns hold t, x, y and the polarity "
                          "(expected t x y p, x y t p or x y p t)");
          return NULL;
        }
      self->col_t = layouts[best][0];
      self->col_x = layouts[best][1];
      self->col_y = layouts[best][2];
      self->col_p = layouts[best][3];
    }

  /* Decimals are seconds, unless they are as large as Unix µs. */
  self->time_shift = have_data && stats[self->col_t].has_dot
                     && stats[self->col_t].max_abs < 1e11 ? 6 : 0;

  {
    const char *order[MAX_FIELDS] = { NULL };

    order[self->col_t] = letters[0];
    order[self->col_x] = letters[1];
    order[self->col_y] = letters[2];
    order[self->col_p] = letters[3];
    for (guint i = 0; i < n_fields; i++)
      g_string_append_printf (detail, "%s%s", i > 0 ? " " : "", order[i] ? order[i] : "-");
  }
  g_string_append_printf (detail, "%s, time in %s, %s, polarity %s",
                          have_names ? " (named by the header)" : "",
                          self->time_shift == 6 ? "seconds (float)"
                          : stats[self->col_t].has_dot ? "µs (float)" : "µs (integer)",
                          self->delimiter == DELIM_COMMA ? "comma-separated"
                          : tabs ? "tab-separated" : "space-separated",
                          pol_description (stats[self->col_p].kinds));
  if (e2vid)
    g_string_append_printf (detail, ", geometry %u×%u from the E2VID first line",
                            info->width, info->height);
  else if (have_geometry)
    g_string_append_printf (detail, ", geometry %u×%u from a %%geometry line",
                            info->width, info->height);
  g_string_append_printf (detail, ", %u header line%s skipped", n_header_lines,
                          n_header_lines == 1 ? "" : "s");
  info->detail = g_string_free (g_steal_pointer (&detail), FALSE);

  info->geometry_known = have_geometry;
  if (!have_geometry)
    {
      info->width = 0;
      info->height = 0;
    }

  self->line = self->data_line;
  if (!evs_file_source_seek (self->source, self->data_offset, error))
    return NULL;

  return EVS_READER (g_steal_pointer (&self));
}
