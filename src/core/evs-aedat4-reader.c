/* evs-aedat4-reader.c
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

#define G_LOG_DOMAIN "evs-aedat4-reader"

#include "config.h"

#include "evs-error.h"
#include "evs-file-source.h"
#include "evs-reader-private.h"

#include <lz4frame.h>
#include <string.h>
#include <zstd.h>

/* iniVation AEDAT 4.0 (FORMATS.md §6.1): “#!AER-DAT4.0\r\n”, a u32
 * length and the IOHeader FlatBuffer (compression, dataTablePosition, XML
 * description), then packets { i32 stream id; i32 size; body } up to the
 * FileDataTable or the end of the file.  A body is one LZ4 frame, one Zstd
 * frame or raw bytes, and decompresses to a size-prefixed FlatBuffer whose
 * identifier says what it holds; “EVTS” packets hold 16-byte events
 * { i64 t; i16 x; i16 y; bool on }, with t in Unix µs.
 *
 * The FlatBuffers are read by hand: every offset is checked against the
 * buffer before use.  Decompressed packets are capped at 256 MiB.  The
 * stream ids of events come from the XML (typeIdentifier EVTS) with the
 * geometry (sizeX/sizeY); packets of other declared streams are skipped
 * without decompressing them, packets of undeclared streams are identified
 * by their FlatBuffer identifier.  A position is the file offset of a
 * packet header and the index of the next event in that packet. */

#define HEADER_MAGIC       "#!AER-DAT4.0\r\n"
#define HEADER_MAGIC_LEN   14
#define MAX_IOHEADER       (16 * 1024 * 1024)
#define MAX_PACKET         (256 * 1024 * 1024)
#define EVENT_SIZE         16
#define MAX_STREAMS        64

typedef enum
{
  COMPRESSION_NONE = 0,
  COMPRESSION_LZ4 = 1,
  COMPRESSION_LZ4_HIGH = 2,
  COMPRESSION_ZSTD = 3,
  COMPRESSION_ZSTD_HIGH = 4,
} Compression;

typedef enum
{
  STREAM_UNKNOWN = 0,
  STREAM_EVENTS,
  STREAM_OTHER,
} StreamKind;

#define EVS_TYPE_AEDAT4_READER (evs_aedat4_reader_get_type ())
G_DECLARE_FINAL_TYPE (EvsAedat4Reader, evs_aedat4_reader, EVS, AEDAT4_READER, EvsReader)

struct _EvsAedat4Reader
{
  EvsReader          parent_instance;
  EvsFileSource     *source;
  const char        *path;
  Compression        compression;
  guint64            first_packet;
  guint64            end;            /* where the packet stream ends */
  gint32             stream_ids[MAX_STREAMS];
  StreamKind         stream_kinds[MAX_STREAMS];
  guint              n_streams;

  LZ4F_dctx         *lz4;
  ZSTD_DCtx         *zstd;
  guint8            *compressed;
  gsize              compressed_size;
  guint8            *packet;         /* decompressed body */
  gsize              packet_size;    /* allocated */

  /* The packet being delivered */
  gboolean           in_packet;
  guint64            packet_offset;  /* file offset of its header */
  guint64            next_offset;    /* file offset of the next packet header */
  const guint8      *elements;
  guint64            n_elements;
  guint64            element;
};

G_DEFINE_FINAL_TYPE (EvsAedat4Reader, evs_aedat4_reader, EVS_TYPE_READER)

static inline guint16
rd_u16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

static inline guint32
rd_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static inline guint64
rd_u64 (const guint8 *p)
{
  return (guint64) rd_u32 (p) | (guint64) rd_u32 (p + 4) << 32;
}

/* Minimal FlatBuffers access, bounds-checked. */
typedef struct
{
  const guint8 *buf;
  gsize         len;
  guint64       table;
  guint64       vtable;
  guint         vtable_len;
  guint         object_len;
} FbTable;

static gboolean
fb_table (const guint8 *buf,
          gsize         len,
          guint64       table,
          FbTable      *t)
{
  gint64 vt;

  if (table > len || len - table < 4)
    return FALSE;
  vt = (gint64) table - (gint32) rd_u32 (buf + table);
  if (vt < 0 || (guint64) vt > len || len - (guint64) vt < 4)
    return FALSE;
  t->buf = buf;
  t->len = len;
  t->table = table;
  t->vtable = (guint64) vt;
  t->vtable_len = rd_u16 (buf + vt);
  t->object_len = rd_u16 (buf + vt + 2);
  if (t->vtable_len < 4 || t->vtable_len % 2 != 0 || t->vtable_len > len - t->vtable
      || t->object_len < 4 || t->object_len > len - table)
    return FALSE;
  return TRUE;
}

/* The position of field @idx holding @size bytes, or 0 when absent;
 * %FALSE when it lies outside the buffer. */
static gboolean
fb_field (const FbTable *t,
          guint          idx,
          guint          size,
          guint64       *pos)
{
  guint off;

  *pos = 0;
  if (4 + 2 * idx + 2 > t->vtable_len)
    return TRUE;
  off = rd_u16 (t->buf + t->vtable + 4 + 2 * idx);
  if (off == 0)
    return TRUE;
  if (off + size > t->object_len)
    return FALSE;
  *pos = t->table + off;
  return TRUE;
}

/* A vector (or string) field: its element count and the position of its
 * first element, checked to fit @elem_size bytes each. */
static gboolean
fb_vector (const FbTable *t,
           guint          idx,
           gsize          elem_size,
           guint64       *first,
           guint64       *count)
{
  guint64 pos, v;

  *first = 0;
  *count = 0;
  if (!fb_field (t, idx, 4, &pos))
    return FALSE;
  if (pos == 0)
    return TRUE;
  v = pos + rd_u32 (t->buf + pos);
  if (v > t->len || t->len - v < 4)
    return FALSE;
  *count = rd_u32 (t->buf + v);
  *first = v + 4;
  if (*count > (t->len - *first) / elem_size)
    return FALSE;
  return TRUE;
}

static gboolean
stream_kind (EvsAedat4Reader *self,
             gint32           id,
             StreamKind      *kind)
{
  for (guint i = 0; i < self->n_streams; i++)
    if (self->stream_ids[i] == id)
      {
        *kind = self->stream_kinds[i];
        return TRUE;
      }
  *kind = STREAM_UNKNOWN;
  return FALSE;
}

static gboolean
ensure_packet_buffer (EvsAedat4Reader  *self,
                      gsize             size,
                      guint64           offset,
                      GError          **error)
{
  if (size > MAX_PACKET)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s”: the packet at byte %" G_GUINT64_FORMAT " decompresses to more than "
                   "256 MiB", self->path, offset);
      return FALSE;
    }
  if (size > self->packet_size)
    {
      g_free (self->packet);
      self->packet = g_malloc (size);
      self->packet_size = size;
    }
  return TRUE;
}

/* Decompresses @in (one frame) into self->packet; returns the size in
 * @out_len. */
static gboolean
decompress (EvsAedat4Reader  *self,
            const guint8     *in,
            gsize             in_len,
            guint64           offset,
            gsize            *out_len,
            GError          **error)
{
  gsize produced = 0;
  gsize want = MAX (64 * 1024, MIN ((gsize) MAX_PACKET, in_len * 4));

  if (self->compression == COMPRESSION_NONE)
    {
      if (!ensure_packet_buffer (self, in_len, offset, error))
        return FALSE;
      memcpy (self->packet, in, in_len);
      *out_len = in_len;
      return TRUE;
    }

  if (!ensure_packet_buffer (self, want, offset, error))
    return FALSE;

  if (self->compression == COMPRESSION_LZ4 || self->compression == COMPRESSION_LZ4_HIGH)
    {
      gsize consumed = 0;

      LZ4F_resetDecompressionContext (self->lz4);
      for (;;)
        {
          size_t src_size = in_len - consumed;
          size_t dst_size = self->packet_size - produced;
          size_t r = LZ4F_decompress (self->lz4, self->packet + produced, &dst_size,
                                      in + consumed, &src_size, NULL);

          if (LZ4F_isError (r))
            {
              LZ4F_resetDecompressionContext (self->lz4);
              g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                           "“%s”: the LZ4 frame of the packet at byte %" G_GUINT64_FORMAT
                           " is damaged (%s)", self->path, offset, LZ4F_getErrorName (r));
              return FALSE;
            }
          consumed += src_size;
          produced += dst_size;
          if (r == 0)
            break;
          if (produced == self->packet_size)
            {
              g_autofree guint8 *old = NULL;

              if (self->packet_size >= MAX_PACKET)
                return ensure_packet_buffer (self, (gsize) MAX_PACKET + 1, offset, error);
              old = g_steal_pointer (&self->packet);
              self->packet_size = MIN ((gsize) MAX_PACKET, self->packet_size * 2);
              self->packet = g_malloc (self->packet_size);
              memcpy (self->packet, old, produced);
            }
          else if (src_size == 0 && dst_size == 0)
            {
              LZ4F_resetDecompressionContext (self->lz4);
              g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                           "“%s”: the LZ4 frame of the packet at byte %" G_GUINT64_FORMAT
                           " ends early", self->path, offset);
              return FALSE;
            }
        }
    }
  else
    {
      ZSTD_inBuffer input = { in, in_len, 0 };

      ZSTD_DCtx_reset (self->zstd, ZSTD_reset_session_only);
      for (;;)
        {
          ZSTD_outBuffer output = { self->packet, self->packet_size, produced };
          size_t r = ZSTD_decompressStream (self->zstd, &output, &input);

          if (ZSTD_isError (r))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                           "“%s”: the Zstd frame of the packet at byte %" G_GUINT64_FORMAT
                           " is damaged (%s)", self->path, offset, ZSTD_getErrorName (r));
              return FALSE;
            }
          produced = output.pos;
          if (r == 0)
            break;
          if (produced == self->packet_size)
            {
              g_autofree guint8 *old = NULL;

              if (self->packet_size >= MAX_PACKET)
                return ensure_packet_buffer (self, (gsize) MAX_PACKET + 1, offset, error);
              old = g_steal_pointer (&self->packet);
              self->packet_size = MIN ((gsize) MAX_PACKET, self->packet_size * 2);
              self->packet = g_malloc (self->packet_size);
              memcpy (self->packet, old, produced);
            }
          else if (input.pos == input.size)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                           "“%s”: the Zstd frame of the packet at byte %" G_GUINT64_FORMAT
                           " ends early", self->path, offset);
              return FALSE;
            }
        }
    }

  *out_len = produced;
  return TRUE;
}

static gboolean
set_corrupt (EvsAedat4Reader  *self,
             GError          **error,
             guint64           offset,
             const char       *what)
{
  g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
               "“%s”: the packet at byte %" G_GUINT64_FORMAT " %s", self->path, offset, what);
  return FALSE;
}

/* Reads the packet whose header is at @offset.  On success either the
 * packet holds events (self->in_packet) or it was skipped; next_offset
 * points past it.  *@at_end is set at the end of the packet stream. */
static gboolean
load_packet (EvsAedat4Reader  *self,
             guint64           offset,
             gboolean         *at_end,
             GError          **error)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));
  guint8 header[8];
  gint32 stream;
  gint32 size;
  StreamKind kind;
  gssize r;
  gsize len;
  const guint8 *fb;
  guint64 fb_len;
  FbTable table;
  guint64 first, count;

  *at_end = FALSE;
  self->in_packet = FALSE;
  self->element = 0;
  self->n_elements = 0;

  if (offset >= self->end)
    {
      *at_end = TRUE;
      return TRUE;
    }
  if (self->end - offset < 8)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated: %" G_GUINT64_FORMAT " bytes of a packet header at byte %"
                   G_GUINT64_FORMAT, self->path, self->end - offset, offset);
      return FALSE;
    }
  r = evs_file_source_pread (self->source, header, 8, offset, error);
  if (r < 0)
    return FALSE;
  if (r != 8)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated in the packet header at byte %" G_GUINT64_FORMAT,
                   self->path, offset);
      return FALSE;
    }
  stream = (gint32) rd_u32 (header);
  size = (gint32) rd_u32 (header + 4);
  if (size <= 0 || size > MAX_PACKET)
    return set_corrupt (self, error, offset, "has an impossible size");
  if ((guint64) size > self->end - offset - 8)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated: the packet at byte %" G_GUINT64_FORMAT " needs %d bytes, "
                   "%" G_GUINT64_FORMAT " remain", self->path, offset, size,
                   self->end - offset - 8);
      return FALSE;
    }
  self->packet_offset = offset;
  self->next_offset = offset + 8 + (guint64) size;

  stream_kind (self, stream, &kind);
  if (kind == STREAM_OTHER)
    {
      stats->other++;
      return TRUE;
    }

  if ((gsize) size > self->compressed_size)
    {
      g_free (self->compressed);
      self->compressed = g_malloc (size);
      self->compressed_size = size;
    }
  r = evs_file_source_pread (self->source, self->compressed, size, offset + 8, error);
  if (r < 0)
    return FALSE;
  if (r != size)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated in the packet at byte %" G_GUINT64_FORMAT,
                   self->path, offset);
      return FALSE;
    }
  if (!decompress (self, self->compressed, size, offset, &len, error))
    return FALSE;

  /* Size-prefixed FlatBuffer */
  if (len < 12)
    return set_corrupt (self, error, offset, "is too short for a FlatBuffer");
  fb_len = rd_u32 (self->packet);
  if (fb_len > len - 4 || fb_len < 8)
    return set_corrupt (self, error, offset, "has a FlatBuffer size beyond its data");
  fb = self->packet + 4;

  if (memcmp (fb + 4, "EVTS", 4) != 0)
    {
      if (kind == STREAM_EVENTS)
        return set_corrupt (self, error, offset,
                            "belongs to the event stream but holds no events");
      stats->other++;
      return TRUE;
    }

  if (!fb_table (fb, fb_len, rd_u32 (fb), &table) || !fb_vector (&table, 0, EVENT_SIZE, &first,
                                                                 &count))
    return set_corrupt (self, error, offset, "has an EventPacket with offsets out of bounds");

  self->elements = fb + first;
  self->n_elements = count;
  self->in_packet = count > 0;

  return TRUE;
}

static gboolean
evs_aedat4_reader_decode (EvsReader      *reader,
                          EvsEventChunk  *chunk,
                          GError        **error)
{
  EvsAedat4Reader *self = (EvsAedat4Reader *) reader;

  while (evs_event_chunk_get_free (chunk) > 0)
    {
      gsize n;
      gsize at;
      const guint8 *e;

      if (!self->in_packet || self->element >= self->n_elements)
        {
          gboolean at_end;

          self->in_packet = FALSE;
          if (!load_packet (self, self->next_offset, &at_end, error))
            return FALSE;
          if (at_end)
            break;
          continue;
        }

      n = MIN (evs_event_chunk_get_free (chunk), self->n_elements - self->element);
      at = chunk->n_events;
      e = self->elements + self->element * EVENT_SIZE;
      for (gsize i = 0; i < n; i++, e += EVENT_SIZE)
        {
          chunk->t[at + i] = (gint64) rd_u64 (e);
          chunk->x[at + i] = rd_u16 (e + 8);
          chunk->y[at + i] = rd_u16 (e + 10);
          chunk->p[at + i] = e[12] != 0;
        }
      chunk->n_events += n;
      self->element += n;
    }

  return TRUE;
}

static void
evs_aedat4_reader_tell (EvsReader         *reader,
                        EvsReaderPosition *position)
{
  EvsAedat4Reader *self = (EvsAedat4Reader *) reader;

  if (self->in_packet && self->element < self->n_elements)
    {
      position->offset = self->packet_offset;
      position->state[0] = self->element;
    }
  else
    {
      position->offset = self->next_offset;
      position->state[0] = 0;
    }
}

static gboolean
evs_aedat4_reader_restore (EvsReader                *reader,
                           const EvsReaderPosition  *position,
                           GError                  **error)
{
  EvsAedat4Reader *self = (EvsAedat4Reader *) reader;
  gboolean at_end;

  if (position->offset < self->first_packet || position->offset > self->end)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Byte %" G_GUINT64_FORMAT " is not in the packet stream of “%s”",
                   position->offset, self->path);
      return FALSE;
    }

  self->in_packet = FALSE;
  self->next_offset = position->offset;
  if (position->state[0] == 0)
    return TRUE;

  if (!load_packet (self, position->offset, &at_end, error))
    return FALSE;
  if (at_end || !self->in_packet || position->state[0] > self->n_elements)
    {
      self->in_packet = FALSE;
      self->next_offset = position->offset;
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Event %" G_GUINT64_FORMAT " of the packet at byte %" G_GUINT64_FORMAT
                   " of “%s” does not exist", position->state[0], position->offset, self->path);
      return FALSE;
    }
  self->element = position->state[0];

  return TRUE;
}

static void
evs_aedat4_reader_finalize (GObject *object)
{
  EvsAedat4Reader *self = (EvsAedat4Reader *) object;

  g_clear_pointer (&self->source, evs_file_source_free);
  g_clear_pointer (&self->lz4, LZ4F_freeDecompressionContext);
  g_clear_pointer (&self->zstd, ZSTD_freeDCtx);
  g_clear_pointer (&self->compressed, g_free);
  g_clear_pointer (&self->packet, g_free);

  G_OBJECT_CLASS (evs_aedat4_reader_parent_class)->finalize (object);
}

static void
evs_aedat4_reader_class_init (EvsAedat4ReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsReaderClass *reader_class = EVS_READER_CLASS (klass);

  object_class->finalize = evs_aedat4_reader_finalize;

  reader_class->decode = evs_aedat4_reader_decode;
  reader_class->tell = evs_aedat4_reader_tell;
  reader_class->restore = evs_aedat4_reader_restore;
}

static void
evs_aedat4_reader_init (EvsAedat4Reader *self)
{
}

/* The XML description: <dv><node name="outInfo"><node name="ID">
 *   <attr key="typeIdentifier">EVTS</attr>
 *   <node name="info"><attr key="sizeX">W</attr>… */
typedef struct
{
  EvsAedat4Reader  *self;
  EvsRecordingInfo *info;
  GPtrArray        *nodes;      /* names of the open <node>s */
  char             *attr_key;   /* the open <attr>'s key */
  GString          *text;
  char             *stream;     /* the stream being described */
  StreamKind        kind;
  guint             width;
  guint             height;
  gint32            events_stream;
  gboolean          have_events;
  guint             events_width;
  guint             events_height;
} XmlState;

static void
xml_start (GMarkupParseContext  *context,
           const char           *element,
           const char          **names,
           const char          **values,
           gpointer              user_data,
           GError              **error)
{
  XmlState *st = user_data;
  const char *name = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], "name") == 0 || strcmp (names[i], "key") == 0)
      name = values[i];

  if (strcmp (element, "node") == 0)
    {
      if (st->nodes->len >= 32)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "nested too deep");
          return;
        }
      g_ptr_array_add (st->nodes, g_strdup (name ? name : ""));
    }
  else if (strcmp (element, "attr") == 0)
    {
      g_free (st->attr_key);
      st->attr_key = g_strdup (name ? name : "");
      g_string_truncate (st->text, 0);
    }
}

static gboolean
parse_stream_id (const char *s,
                 gint32     *id)
{
  gint64 v;

  if (!g_ascii_string_to_signed (s, 10, G_MININT32, G_MAXINT32, &v, NULL))
    return FALSE;
  *id = (gint32) v;
  return TRUE;
}

static void
xml_end (GMarkupParseContext  *context,
         const char           *element,
         gpointer              user_data,
         GError              **error)
{
  XmlState *st = user_data;
  guint depth = st->nodes->len;

  if (strcmp (element, "node") == 0 && depth > 0)
    {
      /* Leaving a stream node under outInfo */
      if (depth >= 2 && strcmp (g_ptr_array_index (st->nodes, depth - 2), "outInfo") == 0)
        {
          EvsAedat4Reader *self = st->self;
          gint32 id;

          if (parse_stream_id (g_ptr_array_index (st->nodes, depth - 1), &id)
              && self->n_streams < MAX_STREAMS && st->kind != STREAM_UNKNOWN)
            {
              self->stream_ids[self->n_streams] = id;
              self->stream_kinds[self->n_streams] = st->kind;
              self->n_streams++;
              if (st->kind == STREAM_EVENTS && !st->have_events)
                {
                  st->have_events = TRUE;
                  st->events_stream = id;
                  st->events_width = st->width;
                  st->events_height = st->height;
                }
            }
          st->kind = STREAM_UNKNOWN;
          st->width = 0;
          st->height = 0;
        }
      g_ptr_array_remove_index (st->nodes, depth - 1);
    }
  else if (strcmp (element, "attr") == 0 && st->attr_key != NULL)
    {
      const char *value = st->text->str;
      guint64 v;

      if (depth >= 2 && strcmp (g_ptr_array_index (st->nodes, depth - 2), "outInfo") == 0
          && strcmp (st->attr_key, "typeIdentifier") == 0)
        st->kind = strcmp (value, "EVTS") == 0 ? STREAM_EVENTS : STREAM_OTHER;
      else if (depth >= 3 && strcmp (g_ptr_array_index (st->nodes, depth - 3), "outInfo") == 0
               && strcmp (g_ptr_array_index (st->nodes, depth - 1), "info") == 0)
        {
          if (strcmp (st->attr_key, "sizeX") == 0
              && g_ascii_string_to_unsigned (value, 10, 1, 65536, &v, NULL))
            st->width = (guint) v;
          else if (strcmp (st->attr_key, "sizeY") == 0
                   && g_ascii_string_to_unsigned (value, 10, 1, 65536, &v, NULL))
            st->height = (guint) v;
          else if (strcmp (st->attr_key, "source") == 0 && st->kind == STREAM_EVENTS
                   && g_utf8_validate (value, -1, NULL))
            evs_recording_info_add_header (st->info, "source", value);
          else if (strcmp (st->attr_key, "tsOffset") == 0 && st->kind == STREAM_EVENTS
                   && g_utf8_validate (value, -1, NULL))
            evs_recording_info_add_header (st->info, "tsOffset", value);
        }
      g_clear_pointer (&st->attr_key, g_free);
    }
}

static void
xml_text (GMarkupParseContext  *context,
          const char           *text,
          gsize                 len,
          gpointer              user_data,
          GError              **error)
{
  XmlState *st = user_data;

  if (st->attr_key != NULL && st->text->len < 4096)
    g_string_append_len (st->text, text, MIN (len, 4096));
}

static const char *
compression_name (Compression c)
{
  switch (c)
    {
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_LZ4: return "LZ4";
    case COMPRESSION_LZ4_HIGH: return "LZ4 (high)";
    case COMPRESSION_ZSTD: return "Zstd";
    case COMPRESSION_ZSTD_HIGH: return "Zstd (high)";
    default: return "?";
    }
}

EvsReader *
_evs_aedat4_reader_new (const char  *path,
                        GError     **error)
{
  static const GMarkupParser parser = { xml_start, xml_end, xml_text, NULL, NULL };
  g_autoptr(EvsAedat4Reader) self = NULL;
  EvsRecordingInfo *info;
  guint8 head[HEADER_MAGIC_LEN + 4];
  g_autofree guint8 *ioheader = NULL;
  guint32 len;
  FbTable table;
  guint64 pos, first, count;
  gint64 data_table = -1;
  gint32 compression = 0;
  gssize r;

  self = g_object_new (EVS_TYPE_AEDAT4_READER, NULL);
  info = _evs_reader_get_info_mut (EVS_READER (self));

  self->source = evs_file_source_open (path, error);
  if (self->source == NULL)
    return NULL;
  self->path = evs_file_source_get_path (self->source);

  info->format = EVS_FORMAT_AEDAT4;
  info->file_size = evs_file_source_get_size (self->source);

  r = evs_file_source_pread (self->source, head, sizeof head, 0, error);
  if (r < 0)
    return NULL;
  if (r < (gssize) HEADER_MAGIC_LEN || memcmp (head, HEADER_MAGIC, HEADER_MAGIC_LEN) != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s” does not start with “#!AER-DAT4.0”: Evscope reads AEDAT 4.0", path);
      return NULL;
    }
  if (r < (gssize) sizeof head)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated at byte %" G_GSSIZE_FORMAT ", in the IOHeader length",
                   path, r);
      return NULL;
    }
  len = rd_u32 (head + HEADER_MAGIC_LEN);
  if (len < 8 || len > MAX_IOHEADER)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s”: the IOHeader at byte 18 has an impossible length (%u bytes)", path, len);
      return NULL;
    }
  if ((guint64) len > info->file_size - sizeof head)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated in the IOHeader (byte 18, %u bytes)", path, len);
      return NULL;
    }
  ioheader = g_malloc (len);
  r = evs_file_source_pread (self->source, ioheader, len, sizeof head, error);
  if (r < 0)
    return NULL;
  if (r != (gssize) len)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated in the IOHeader (byte 18)", path);
      return NULL;
    }

  if (memcmp (ioheader + 4, "IOHE", 4) != 0 || !fb_table (ioheader, len, rd_u32 (ioheader), &table))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s”: the IOHeader at byte 18 is not a valid FlatBuffer", path);
      return NULL;
    }
  if (!fb_field (&table, 0, 4, &pos))
    goto bad_header;
  if (pos != 0)
    compression = (gint32) rd_u32 (ioheader + pos);
  if (!fb_field (&table, 1, 8, &pos))
    goto bad_header;
  if (pos != 0)
    data_table = (gint64) rd_u64 (ioheader + pos);
  if (!fb_vector (&table, 2, 1, &first, &count))
    goto bad_header;

  if (compression < COMPRESSION_NONE || compression > COMPRESSION_ZSTD_HIGH)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s” uses compression type %d, which Evscope does not know", path,
                   compression);
      return NULL;
    }
  self->compression = compression;

  self->first_packet = sizeof head + (guint64) len;
  if (data_table < 0)
    self->end = info->file_size;
  else if ((guint64) data_table < self->first_packet)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s”: the IOHeader places the file data table at byte %" G_GINT64_FORMAT
                   ", inside the header", path, data_table);
      return NULL;
    }
  else
    self->end = MIN ((guint64) data_table, info->file_size);
  self->next_offset = self->first_packet;

  /* The XML description */
  if (count > 0)
    {
      XmlState st = { 0 };
      g_autoptr(GMarkupParseContext) context = NULL;
      g_autoptr(GError) xml_error = NULL;

      st.self = self;
      st.info = info;
      st.nodes = g_ptr_array_new_with_free_func (g_free);
      st.text = g_string_new (NULL);
      context = g_markup_parse_context_new (&parser, 0, &st, NULL);
      if (!g_markup_parse_context_parse (context, (const char *) ioheader + first, count,
                                         &xml_error)
          || !g_markup_parse_context_end_parse (context, &xml_error))
        g_debug ("The description of “%s” is not valid XML: %s", path, xml_error->message);

      if (st.have_events && st.events_width > 0 && st.events_height > 0)
        {
          info->width = st.events_width;
          info->height = st.events_height;
          info->geometry_known = TRUE;
        }
      if (st.have_events)
        info->detail = g_strdup_printf ("AEDAT 4.0, %s compression, events in stream %d",
                                        compression_name (compression), st.events_stream);
      else
        info->detail = g_strdup_printf ("AEDAT 4.0, %s compression, no event stream declared",
                                        compression_name (compression));
      g_ptr_array_unref (st.nodes);
      g_string_free (st.text, TRUE);
      g_free (st.attr_key);
    }
  if (info->detail == NULL)
    info->detail = g_strdup_printf ("AEDAT 4.0, %s compression, no description",
                                    compression_name (compression));

  if (!info->geometry_known)
    {
      info->width = 0;
      info->height = 0;
    }

  if (compression == COMPRESSION_LZ4 || compression == COMPRESSION_LZ4_HIGH)
    {
      if (LZ4F_isError (LZ4F_createDecompressionContext (&self->lz4, LZ4F_VERSION)))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot create an LZ4 decoder");
          return NULL;
        }
    }
  else if (compression != COMPRESSION_NONE)
    {
      self->zstd = ZSTD_createDCtx ();
      if (self->zstd == NULL)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot create a Zstd decoder");
          return NULL;
        }
      /* Windows up to 128 MiB, as DV writes them */
      ZSTD_DCtx_setParameter (self->zstd, ZSTD_d_windowLogMax, 27);
    }

  return EVS_READER (g_steal_pointer (&self));

bad_header:
  g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
               "“%s”: the IOHeader at byte 18 has fields out of bounds", path);
  return NULL;
}
