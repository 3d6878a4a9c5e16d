/* evs-dat-reader.c
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

#define G_LOG_DOMAIN "evs-dat-reader"

#include "config.h"

#include "evs-error.h"
#include "evs-file-source.h"
#include "evs-prophesee-header.h"
#include "evs-reader-private.h"

#include <stdlib.h>
#include <string.h>

/* Prophesee DAT (FORMATS.md §2): a “% ” header, two bytes (event type,
 * event size), then little-endian records { u32 t; u32 x:14 y:14 p:4 }.
 * The 32-bit time wraps after 71.6 min; a decrease of more than 2^31 is
 * taken as a wrap. */

#define EVS_TYPE_DAT_READER (evs_dat_reader_get_type ())
G_DECLARE_FINAL_TYPE (EvsDatReader, evs_dat_reader, EVS, DAT_READER, EvsReader)

struct _EvsDatReader
{
  EvsReader      parent_instance;
  EvsFileSource *source;
  guint64        payload_offset;
  guint          event_size;
  guint64        wraps;
  guint32        last_ts;
};

G_DEFINE_FINAL_TYPE (EvsDatReader, evs_dat_reader, EVS_TYPE_READER)

static inline guint32
read_u32_le (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static gboolean
evs_dat_reader_decode (EvsReader      *reader,
                       EvsEventChunk  *chunk,
                       GError        **error)
{
  EvsDatReader *self = (EvsDatReader *) reader;
  const guint size = self->event_size;

  while (evs_event_chunk_get_free (chunk) > 0)
    {
      const guint8 *data;
      gsize avail;
      gsize n;
      gsize want = evs_event_chunk_get_free (chunk);
      guint64 wraps = self->wraps;
      guint32 last = self->last_ts;
      gsize at;

      if (!evs_file_source_fill (self->source, MIN (want * size, (gsize) 1 << 20), error))
        return FALSE;
      data = evs_file_source_peek (self->source, &avail);
      n = MIN (avail / size, want);

      if (n == 0)
        {
          if (avail > 0)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                           "“%s” is truncated: %" G_GSIZE_FORMAT " bytes of a %u-byte event "
                           "at byte %" G_GUINT64_FORMAT,
                           evs_file_source_get_path (self->source), avail, size,
                           evs_file_source_tell (self->source));
              return FALSE;
            }
          break;
        }

      at = chunk->n_events;
      for (gsize i = 0; i < n; i++)
        {
          const guint8 *rec = data + i * size;
          guint32 ts = read_u32_le (rec);
          guint32 w = read_u32_le (rec + 4);

          if (ts < last && last - ts > G_MAXINT32)
            wraps++;
          last = ts;

          chunk->t[at + i] = (gint64) ((wraps << 32) | ts);
          chunk->x[at + i] = w & 0x3FFF;
          chunk->y[at + i] = (w >> 14) & 0x3FFF;
          chunk->p[at + i] = (w >> 28) & 1;
        }
      chunk->n_events += n;
      self->wraps = wraps;
      self->last_ts = last;
      evs_file_source_consume (self->source, n * size);
    }

  return TRUE;
}

static void
evs_dat_reader_tell (EvsReader         *reader,
                     EvsReaderPosition *position)
{
  EvsDatReader *self = (EvsDatReader *) reader;

  position->offset = evs_file_source_tell (self->source);
  position->state[0] = self->wraps;
  position->state[1] = self->last_ts;
}

static gboolean
evs_dat_reader_restore (EvsReader                *reader,
                        const EvsReaderPosition  *position,
                        GError                  **error)
{
  EvsDatReader *self = (EvsDatReader *) reader;

  if (position->offset < self->payload_offset
      || (position->offset - self->payload_offset) % self->event_size != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Byte %" G_GUINT64_FORMAT " is not the start of an event in “%s”",
                   position->offset, evs_file_source_get_path (self->source));
      return FALSE;
    }

  if (!evs_file_source_seek (self->source, position->offset, error))
    return FALSE;
  self->wraps = position->state[0];
  self->last_ts = (guint32) position->state[1];

  return TRUE;
}

static void
evs_dat_reader_finalize (GObject *object)
{
  EvsDatReader *self = (EvsDatReader *) object;

  g_clear_pointer (&self->source, evs_file_source_free);

  G_OBJECT_CLASS (evs_dat_reader_parent_class)->finalize (object);
}

static void
evs_dat_reader_class_init (EvsDatReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsReaderClass *reader_class = EVS_READER_CLASS (klass);

  object_class->finalize = evs_dat_reader_finalize;

  reader_class->decode = evs_dat_reader_decode;
  reader_class->tell = evs_dat_reader_tell;
  reader_class->restore = evs_dat_reader_restore;
}

static void
evs_dat_reader_init (EvsDatReader *self)
{
}

static gboolean
parse_dimension (const char *value,
                 guint      *out)
{
  guint64 v;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, 1 << 14, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

EvsReader *
_evs_dat_reader_new (const char  *path,
                     GError     **error)
{
  g_autoptr(EvsDatReader) self = NULL;
  EvsRecordingInfo *info;
  guint64 header_size = 0;
  const guint8 *data;
  gsize avail;
  guint type;

  self = g_object_new (EVS_TYPE_DAT_READER, NULL);
  info = _evs_reader_get_info_mut (EVS_READER (self));

  self->source = evs_file_source_open (path, error);
  if (self->source == NULL)
    return NULL;

  info->format = EVS_FORMAT_DAT;
  info->file_size = evs_file_source_get_size (self->source);

  if (!evs_prophesee_header_parse (self->source, info, &header_size, error))
    return NULL;

  if (!evs_file_source_fill (self->source, 2, error))
    return NULL;
  data = evs_file_source_peek (self->source, &avail);
  if (header_size == 0)
    {
      /* Very old files have no header and no type/size bytes. */
      type = 0;
      self->event_size = 8;
    }
  else
    {
      if (avail < 2)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                       "“%s” ends after its header, at byte %" G_GUINT64_FORMAT
                       ", without the event type and size bytes", path, header_size);
          return NULL;
        }
      type = data[0];
      self->event_size = data[1];
      evs_file_source_consume (self->source, 2);
    }

  if (type == 14)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s” holds external trigger events (DAT event type 14), not CD events", path);
      return NULL;
    }
  if (type != 0 && type != 12)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s” holds DAT event type %u at byte %" G_GUINT64_FORMAT
                   "; Evscope reads CD events (type 0 or 12)", path, type, header_size);
      return NULL;
    }
  if (self->event_size < 8 || self->event_size > 64)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s” declares %u-byte events at byte %" G_GUINT64_FORMAT
                   " (CD events are 8 bytes)", path, self->event_size, header_size + 1);
      return NULL;
    }

  self->payload_offset = evs_file_source_tell (self->source);

  if (parse_dimension (evs_recording_info_lookup (info, "Width"), &info->width)
      && parse_dimension (evs_recording_info_lookup (info, "Height"), &info->height))
    info->geometry_known = TRUE;
  else
    {
      info->width = 0;
      info->height = 0;
      info->geometry_known = FALSE;
      info->detail = g_strdup ("The header states no geometry; the sensor size is taken "
                               "from the events");
    }

  return EVS_READER (g_steal_pointer (&self));
}
