/* evs-hot-pixels-filter.c
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

#define G_LOG_DOMAIN "evs-hot-pixels-filter"

#include "config.h"

#include "evs-hot-pixels-filter.h"
#include "evs-hot-pixel-map.h"
#include "evs-error.h"
#include "evs-filter-private.h"
#include "evs-simd-private.h"

#include <cairo.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Drops every event of "hot" pixels.  A pixel is hot when:
 *  - criterion max-rate: its rate (events / duration) exceeds max_rate_hz;
 *  - criterion percentile: its event count is above the given percentile of
 *    the counts of the pixels that fired at all;
 *  - criterion mask: it is listed in a mask file (text “x y” lines or a PNG
 *    where non-black pixels are hot).
 * Rates come from per-pixel counts over the whole recording, given by a
 * first pass (evs_hot_pixels_filter_learn() or _learn_counts(), which the
 * export job runs), or, with learn_ms > 0, from the first learn_ms
 * milliseconds of the stream itself: those events pass while counting
 * (as jAER/libcaer do) and the mask applies from then on.  Until something
 * was learnt the filter keeps everything.
 */

#define MAX_MASK_SIDE 8192

struct _EvsHotPixelsFilter
{
  EvsFilter             parent_instance;

  EvsHotPixelsCriterion criterion;
  double                max_rate_hz;
  double                percentile;
  char                 *mask_path;
  guint                 learn_ms;

  EvsPixelGrid          counts;        /* guint32 */
  gint64                duration_us;
  gboolean              have_counts;
  EvsPixelGrid          learnt;        /* guint8, from counts */
  EvsPixelGrid          mask;          /* guint8, from the mask file */

  /* the active grid as one bit a pixel (fits a core's L1 cache for a
   * 1280×720 sensor), rebuilt when @grid_serial moves on */
  guint64              *bits;
  const EvsPixelGrid   *bits_grid;
  guint                 bits_serial;
  guint                 grid_serial;

  /* learn window */
  gboolean              window_started;
  gint64                window_t0;

  guint                 json_criteria;
};

enum {
  PROP_0,
  PROP_CRITERION,
  PROP_MAX_RATE_HZ,
  PROP_PERCENTILE,
  PROP_MASK,
  PROP_LEARN_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsHotPixelsFilter, evs_hot_pixels_filter, EVS_TYPE_FILTER)

GType
evs_hot_pixels_criterion_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { EVS_HOT_PIXELS_CRITERION_MAX_RATE, "EVS_HOT_PIXELS_CRITERION_MAX_RATE", "max-rate" },
        { EVS_HOT_PIXELS_CRITERION_PERCENTILE, "EVS_HOT_PIXELS_CRITERION_PERCENTILE", "percentile" },
        { EVS_HOT_PIXELS_CRITERION_MASK, "EVS_HOT_PIXELS_CRITERION_MASK", "mask" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static ("EvsHotPixelsCriterion", values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static int
cmp_u32 (const void *a,
         const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static void
recompute (EvsHotPixelsFilter *self)
{
  const guint32 *counts = self->counts.data;
  gsize n = (gsize) self->counts.width * self->counts.height;
  guint8 *hot;
  double threshold;

  if (!self->have_counts)
    return;

  _evs_pixel_grid_clear (&self->learnt);
  _evs_pixel_grid_ensure (&self->learnt, 1, self->counts.width, self->counts.height);
  hot = self->learnt.data;
  self->grid_serial++;

  if (self->criterion == EVS_HOT_PIXELS_CRITERION_PERCENTILE)
    {
      g_autofree guint32 *active = g_new (guint32, MAX (n, 1));
      gsize n_active = 0;
      gsize rank;

      for (gsize i = 0; i < n; i++)
        if (counts[i] > 0)
          active[n_active++] = counts[i];
      if (n_active == 0)
        return;
      qsort (active, n_active, sizeof (guint32), cmp_u32);
      rank = (gsize) ceil (self->percentile / 100.0 * n_active);
      rank = CLAMP (rank, 1, n_active);
      threshold = active[rank - 1];
    }
  else
    {
      /* count > rate × duration */
      threshold = self->max_rate_hz * (double) MAX (self->duration_us, 1) / 1e6;
    }

  for (gsize i = 0; i < n; i++)
    hot[i] = counts[i] > threshold;
}

static const EvsPixelGrid *
active_grid (EvsHotPixelsFilter *self)
{
  if (self->criterion == EVS_HOT_PIXELS_CRITERION_MASK)
    return self->mask.data != NULL ? &self->mask : NULL;
  if (self->have_counts)
    return &self->learnt;
  return NULL;
}

/* The bitmap of @grid, (re)built when the grids changed since */
static const guint64 *
grid_bits (EvsHotPixelsFilter *self,
           const EvsPixelGrid *grid)
{
  if (self->bits == NULL || self->bits_grid != grid || self->bits_serial != self->grid_serial)
    {
      const guint8 *hot = grid->data;
      gsize n = (gsize) grid->width * grid->height;

      g_free (self->bits);
      self->bits = g_new0 (guint64, n / 64 + 1);
      for (gsize i = 0; i < n; i++)
        self->bits[i / 64] |= (guint64) (hot[i] != 0) << (i % 64);
      self->bits_grid = grid;
      self->bits_serial = self->grid_serial;
    }
  return self->bits;
}

#if defined (__x86_64__) && defined (__GNUC__)
#define HAVE_HOT_AVX512 1
#include <immintrin.h>

/* Sixteen events at a time: their pixels' bitmap words gathered, shifted
 * and tested in vectors.  Returns where the scalar loop goes on.  (GCC 12
 * warns of the undefined lanes its own intrinsics leave: bug 105593.) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__ ((target ("avx512f,avx512vl,avx512bw"))) static gsize
apply_bits_avx512 (const guint64 *bits,
                   guint          gw,
                   guint          gh,
                   const guint16 *x,
                   const guint16 *y,
                   gsize          i,
                   gsize          n,
                   guint8        *keep,
                   gboolean       masked)
{
  const __m512i vgw = _mm512_set1_epi32 ((int) gw);
  const __m512i vgh = _mm512_set1_epi32 ((int) gh);
  const __m512i one = _mm512_set1_epi32 (1);

  for (; i + 16 <= n; i += 16)
    {
      __m512i vx = _mm512_maskz_cvtepu16_epi32 (0xFFFF, _mm256_loadu_si256 ((const __m256i *) (x + i)));
      __m512i vy = _mm512_maskz_cvtepu16_epi32 (0xFFFF, _mm256_loadu_si256 ((const __m256i *) (y + i)));
      __mmask16 inside = _mm512_cmplt_epu32_mask (vx, vgw) & _mm512_cmplt_epu32_mask (vy, vgh);
      __m512i idx = _mm512_add_epi32 (_mm512_mullo_epi32 (vy, vgw), vx);
      /* the bitmap as 32-bit words (little-endian): word idx / 32, bit idx % 32 */
      __m512i words = _mm512_mask_i32gather_epi32 (_mm512_setzero_si512 (), inside,
                                                   _mm512_srli_epi32 (idx, 5), bits, 4);
      __m512i hot = _mm512_and_si512 (_mm512_srlv_epi32 (words, _mm512_and_si512 (idx, _mm512_set1_epi32 (31))),
                                      one);
      __mmask16 cold = _mm512_cmpeq_epi32_mask (hot, _mm512_setzero_si512 ());
      __m128i k = _mm_maskz_set1_epi8 (cold, 1);

      if (masked)
        k = _mm_and_si128 (k, _mm_loadu_si128 ((const __m128i *) (keep + i)));
      _mm_storeu_si128 ((__m128i *) (keep + i), k);
    }
  return i;
}
#pragma GCC diagnostic pop
#endif

/* @masked: AND into @keep (refine) instead of setting it (process) */
static inline __attribute__ ((always_inline)) void
apply_grid (EvsHotPixelsFilter  *self,
            const EvsPixelGrid  *grid,
            const EvsEventChunk *chunk,
            gsize                start,
            guint8              *keep,
            gboolean             masked)
{
  const guint64 *bits = grid_bits (self, grid);
  guint gw = grid->width, gh = grid->height;
  const guint16 *x = chunk->x;
  const guint16 *y = chunk->y;
  gsize i = start;

#ifdef HAVE_HOT_AVX512
  /* pixel indices fit 32 bits (MAX_MASK_SIDE and the sensor sizes do) */
  if (_evs_simd_level () == EVS_SIMD_AVX512 && (guint64) gw * gh < G_MAXINT32)
    i = apply_bits_avx512 (bits, gw, gh, x, y, i, chunk->n_events, keep, masked);
#endif
  for (; i < chunk->n_events; i++)
    {
      guint inside = (x[i] < gw) & (y[i] < gh);
      gsize idx = inside ? (gsize) y[i] * gw + x[i] : 0;
      guint hot = (bits[idx / 64] >> (idx % 64)) & inside;

      keep[i] = (masked ? keep[i] : 1) & (hot ^ 1);
    }
}

static void
evs_hot_pixels_filter_process (EvsFilter           *filter,
                               const EvsEventChunk *chunk,
                               guint8              *keep)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;
  const EvsPixelGrid *grid;
  gsize i = 0;

  if (self->criterion != EVS_HOT_PIXELS_CRITERION_MASK && self->learn_ms > 0
      && !self->have_counts)
    {
      gint64 end;
      guint max_x, max_y;
      guint32 *counts;

      _evs_chunk_max_xy (chunk, &max_x, &max_y);
      _evs_pixel_grid_ensure (&self->counts, sizeof (guint32),
                              MAX (max_x + 1, evs_filter_get_width (filter)),
                              MAX (max_y + 1, evs_filter_get_height (filter)));
      counts = self->counts.data;

      if (!self->window_started)
        {
          self->window_started = TRUE;
          self->window_t0 = chunk->t[0];
        }
      end = self->window_t0 + (gint64) self->learn_ms * 1000;
      for (; i < chunk->n_events && chunk->t[i] < end; i++)
        {
          guint32 *c = counts + (gsize) chunk->y[i] * self->counts.width + chunk->x[i];

          *c += *c < G_MAXUINT32;
          keep[i] = 1;
        }
      if (i == chunk->n_events)
        return;
      self->duration_us = (gint64) self->learn_ms * 1000;
      self->have_counts = TRUE;
      recompute (self);
    }

  grid = active_grid (self);
  if (grid == NULL)
    {
      memset (keep + i, 1, chunk->n_events - i);
      return;
    }
  apply_grid (self, grid, chunk, i, keep, FALSE);
}

static gboolean
evs_hot_pixels_filter_refine (EvsFilter           *filter,
                              const EvsEventChunk *chunk,
                              guint8              *keep)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;
  const EvsPixelGrid *grid;

  /* still counting the learning window: that counts every event reaching
   * the filter, on the compacted chunk */
  if (self->criterion != EVS_HOT_PIXELS_CRITERION_MASK && self->learn_ms > 0
      && !self->have_counts)
    return FALSE;

  grid = active_grid (self);
  if (grid != NULL)
    apply_grid (self, grid, chunk, 0, keep, TRUE);
  return TRUE;
}

static void
evs_hot_pixels_filter_reset (EvsFilter *filter)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;

  if (self->learn_ms > 0)
    {
      self->have_counts = FALSE;
      self->window_started = FALSE;
      _evs_pixel_grid_clear (&self->counts);
      _evs_pixel_grid_clear (&self->learnt);
      self->grid_serial++;
    }
}

/**
 * evs_hot_pixels_filter_needs_learning:
 *
 * Returns: %TRUE when the filter waits for whole-recording counts (a first
 *   pass) before it can drop anything
 */
gboolean
evs_hot_pixels_filter_needs_learning (EvsHotPixelsFilter *self)
{
  g_return_val_if_fail (EVS_IS_HOT_PIXELS_FILTER (self), FALSE);

  return evs_filter_get_enabled (EVS_FILTER (self))
         && self->criterion != EVS_HOT_PIXELS_CRITERION_MASK
         && self->learn_ms == 0 && !self->have_counts;
}

/**
 * evs_hot_pixels_filter_learn_counts:
 * @counts: (array): @width × @height per-pixel event counts, row-major
 * @duration_us: the time the counts cover
 *
 * Learns the hot pixels from whole-recording statistics.  The counts are
 * kept, so changing the threshold afterwards updates the mask at once.
 */
void
evs_hot_pixels_filter_learn_counts (EvsHotPixelsFilter *self,
                                    const guint32      *counts,
                                    guint               width,
                                    guint               height,
                                    gint64              duration_us)
{
  g_return_if_fail (EVS_IS_HOT_PIXELS_FILTER (self));
  g_return_if_fail (counts != NULL || width * height == 0);

  _evs_pixel_grid_clear (&self->counts);
  _evs_pixel_grid_ensure (&self->counts, sizeof (guint32), MAX (width, 1), MAX (height, 1));
  if (width * height > 0)
    memcpy (self->counts.data, counts, (gsize) width * height * sizeof (guint32));
  self->duration_us = MAX (duration_us, 1);
  self->have_counts = TRUE;
  recompute (self);
}

/**
 * evs_hot_pixels_filter_learn:
 * @reader: an open reader; it is rewound before and after
 *
 * Runs the first pass: counts every event of the recording per pixel and
 * learns from the rates over the recording's duration.
 */
gboolean
evs_hot_pixels_filter_learn (EvsHotPixelsFilter  *self,
                             EvsReader           *reader,
                             GCancellable        *cancellable,
                             GError             **error)
{
  g_autoptr(GBytes) counts = NULL;
  guint width, height;
  gint64 duration = 1;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_FILTER (self), FALSE);
  g_return_val_if_fail (EVS_IS_READER (reader), FALSE);

  width = evs_reader_get_width (reader);
  height = evs_reader_get_height (reader);
  counts = evs_pixel_counts_compute (reader, &width, &height, &duration, cancellable,
                                     NULL, NULL, error);
  if (counts == NULL)
    return FALSE;

  evs_hot_pixels_filter_learn_counts (self, g_bytes_get_data (counts, NULL), width, height,
                                      duration);
  return TRUE;
}

gboolean
evs_hot_pixels_filter_is_hot (EvsHotPixelsFilter *self,
                              guint               x,
                              guint               y)
{
  const EvsPixelGrid *grid;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_FILTER (self), FALSE);

  grid = active_grid (self);
  if (grid == NULL || x >= grid->width || y >= grid->height)
    return FALSE;
  return ((const guint8 *) grid->data)[(gsize) y * grid->width + x] != 0;
}

/**
 * evs_hot_pixels_filter_get_hot_pixels:
 *
 * Returns: (transfer full) (array length=n_pixels): the hot pixels as
 *   `x | y << 16`, row by row
 */
guint32 *
evs_hot_pixels_filter_get_hot_pixels (EvsHotPixelsFilter *self,
                                      guint              *n_pixels)
{
  const EvsPixelGrid *grid;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint32));

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_FILTER (self), NULL);

  grid = active_grid (self);
  if (grid != NULL)
    {
      const guint8 *hot = grid->data;

      for (guint y = 0; y < grid->height; y++)
        for (guint x = 0; x < grid->width; x++)
          if (hot[(gsize) y * grid->width + x])
            {
              guint32 v = x | (guint32) y << 16;

              g_array_append_val (out, v);
            }
    }
  *n_pixels = out->len;
  return (guint32 *) g_array_free (out, FALSE);
}

static gboolean
load_png_mask (const char    *path,
               EvsPixelGrid  *grid,
               GError       **error)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  cairo_status_t status = cairo_surface_status (surface);
  int w, h, stride;
  const guint8 *data;

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT, "Cannot read the PNG mask “%s”: %s",
                   path, cairo_status_to_string (status));
      cairo_surface_destroy (surface);
      return FALSE;
    }
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  if (w <= 0 || h <= 0 || w > MAX_MASK_SIDE || h > MAX_MASK_SIDE)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The PNG mask “%s” is %d×%d; masks are at most %d×%d", path, w, h,
                   MAX_MASK_SIDE, MAX_MASK_SIDE);
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_surface_flush (surface);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  _evs_pixel_grid_ensure (grid, 1, w, h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gboolean hot;

        switch (cairo_image_surface_get_format (surface))
          {
          case CAIRO_FORMAT_A8:
            hot = data[(gsize) y * stride + x] != 0;
            break;
          case CAIRO_FORMAT_A1:
            hot = (((const guint32 *) (gconstpointer) (data + (gsize) y * stride))[x / 32]
                   >> (x % 32)) & 1;
            break;
          case CAIRO_FORMAT_ARGB32:
          case CAIRO_FORMAT_RGB24:
          case CAIRO_FORMAT_INVALID:
          case CAIRO_FORMAT_RGB16_565:
          case CAIRO_FORMAT_RGB30:
          default:
            hot = (((const guint32 *) (gconstpointer) (data + (gsize) y * stride))[x]
                   & 0x00FFFFFF) != 0;
            break;
          }
        ((guint8 *) grid->data)[(gsize) y * grid->width + x] = hot;
      }
  cairo_surface_destroy (surface);
  return TRUE;
}

static gboolean
load_text_mask (const char    *path,
                EvsPixelGrid  *grid,
                GError       **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) pixels = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint max_x = 0, max_y = 0;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  if (len > 256 * 1024 * 1024)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The mask “%s” is too large", path);
      return FALSE;
    }
  if (memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "The mask “%s” is neither a PNG nor a text file of “x y” lines", path);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *end = NULL;
      guint64 x, y;

      if (*line == '\0' || *line == '#' || *line == '%')
        continue;
      x = g_ascii_strtoull (line, &end, 10);
      if (end == line || (*end != ' ' && *end != '\t' && *end != ','))
        goto bad;
      line = end + 1;
      while (*line == ' ' || *line == '\t')
        line++;
      y = g_ascii_strtoull (line, &end, 10);
      if (end == line || *end != '\0')
        goto bad;
      if (x >= MAX_MASK_SIDE || y >= MAX_MASK_SIDE)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "%s:%u: pixel (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                       ") is outside the largest supported sensor (%d×%d)", path, i + 1, x, y,
                       MAX_MASK_SIDE, MAX_MASK_SIDE);
          return FALSE;
        }
      {
        guint32 v = (guint32) x | (guint32) y << 16;

        g_array_append_val (pixels, v);
      }
      max_x = MAX (max_x, x);
      max_y = MAX (max_y, y);
      continue;

bad:
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "%s:%u: expected “x y” (two non-negative integers)", path, i + 1);
      return FALSE;
    }

  _evs_pixel_grid_ensure (grid, 1, max_x + 1, max_y + 1);
  for (guint i = 0; i < pixels->len; i++)
    {
      guint32 v = g_array_index (pixels, guint32, i);

      ((guint8 *) grid->data)[(gsize) (v >> 16) * grid->width + (v & 0xFFFF)] = 1;
    }
  return TRUE;
}

/**
 * evs_hot_pixels_filter_load_mask:
 * @path: a PNG (non-black pixels are hot) or a text file of “x y” lines
 *   (blank lines and lines starting with # are ignored)
 *
 * Loads a mask and switches the criterion to mask.
 */
gboolean
evs_hot_pixels_filter_load_mask (EvsHotPixelsFilter  *self,
                                 const char          *path,
                                 GError             **error)
{
  EvsPixelGrid grid = { 0 };
  guint8 magic[8] = { 0 };
  gboolean ok;
  FILE *f;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_FILTER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  f = g_fopen (path, "rb");
  if (f == NULL)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot open the mask “%s”: %s", path, g_strerror (errsv));
      return FALSE;
    }
  if (fread (magic, 1, sizeof magic, f) != sizeof magic)
    memset (magic, 0, sizeof magic);
  fclose (f);

  if (memcmp (magic, "\x89PNG\r\n\x1a\n", 8) == 0)
    ok = load_png_mask (path, &grid, error);
  else
    ok = load_text_mask (path, &grid, error);
  if (!ok)
    {
      _evs_pixel_grid_clear (&grid);
      return FALSE;
    }

  _evs_pixel_grid_clear (&self->mask);
  self->mask = grid;
  self->grid_serial++;
  g_free (self->mask_path);
  self->mask_path = g_strdup (path);
  /* Notified even for the same path: the file's pixels may have changed */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MASK]);
  if (self->criterion != EVS_HOT_PIXELS_CRITERION_MASK)
    {
      self->criterion = EVS_HOT_PIXELS_CRITERION_MASK;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CRITERION]);
    }
  return TRUE;
}

/**
 * evs_hot_pixels_filter_set_mask:
 * @pixels: (array length=n_pixels): the hot pixels as `x | y << 16`
 * @width: the mask's width (the sensor's)
 * @height: the mask's height
 *
 * Sets an in-memory mask and switches the criterion to mask.  The mask has
 * no file ("mask" becomes %NULL), so a pipeline using it cannot be saved as
 * a preset until evs_hot_pixels_filter_save_mask() and
 * evs_hot_pixels_filter_load_mask() gave it one.  Pixels outside
 * @width × @height are ignored.
 */
void
evs_hot_pixels_filter_set_mask (EvsHotPixelsFilter *self,
                                const guint32      *pixels,
                                guint               n_pixels,
                                guint               width,
                                guint               height)
{
  EvsPixelGrid grid = { 0 };

  g_return_if_fail (EVS_IS_HOT_PIXELS_FILTER (self));
  g_return_if_fail (pixels != NULL || n_pixels == 0);
  g_return_if_fail (width > 0 && height > 0 && width <= MAX_MASK_SIDE && height <= MAX_MASK_SIDE);

  _evs_pixel_grid_ensure (&grid, 1, width, height);
  for (guint i = 0; i < n_pixels; i++)
    {
      guint x = pixels[i] & 0xFFFF, y = pixels[i] >> 16;

      if (x < width && y < height)
        ((guint8 *) grid.data)[(gsize) y * width + x] = 1;
    }
  _evs_pixel_grid_clear (&self->mask);
  self->mask = grid;
  self->grid_serial++;
  g_clear_pointer (&self->mask_path, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MASK]);
  if (self->criterion != EVS_HOT_PIXELS_CRITERION_MASK)
    {
      self->criterion = EVS_HOT_PIXELS_CRITERION_MASK;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CRITERION]);
    }
}

/**
 * evs_hot_pixels_filter_save_mask:
 * @path: ends with .png for a PNG (hot pixels white on black, sensor
 *   size), anything else for a text file of “x y” lines
 *
 * Saves the current hot pixels (atomically).
 */
gboolean
evs_hot_pixels_filter_save_mask (EvsHotPixelsFilter  *self,
                                 const char          *path,
                                 GError             **error)
{
  g_autofree guint32 *pixels = NULL;
  guint n = 0;
  guint w, h;
  const EvsPixelGrid *grid;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_FILTER (self), FALSE);

  pixels = evs_hot_pixels_filter_get_hot_pixels (self, &n);
  grid = active_grid (self);
  w = MAX (evs_filter_get_width (EVS_FILTER (self)), grid != NULL ? grid->width : 1);
  h = MAX (evs_filter_get_height (EVS_FILTER (self)), grid != NULL ? grid->height : 1);

  if (g_str_has_suffix (path, ".png") || g_str_has_suffix (path, ".PNG"))
    {
      g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
      cairo_surface_t *surface;
      cairo_status_t status;
      guint8 *data;
      int stride;
      int fd;

      if (w > MAX_MASK_SIDE || h > MAX_MASK_SIDE)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "The sensor is too large");
          return FALSE;
        }
      fd = g_mkstemp (tmp);
      if (fd < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Cannot write “%s”: %s", path, g_strerror (errsv));
          return FALSE;
        }
      close (fd);
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
      cairo_surface_flush (surface);
      data = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      memset (data, 0, (gsize) stride * h);
      for (guint i = 0; i < n; i++)
        ((guint32 *) (gpointer) (data + (gsize) (pixels[i] >> 16) * stride))[pixels[i] & 0xFFFF] =
          0x00FFFFFF;
      cairo_surface_mark_dirty (surface);
      status = cairo_surface_write_to_png (surface, tmp);
      cairo_surface_destroy (surface);
      if (status != CAIRO_STATUS_SUCCESS || g_rename (tmp, path) != 0)
        {
          g_unlink (tmp);
          g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s", path,
                       status != CAIRO_STATUS_SUCCESS ? cairo_status_to_string (status)
                                                       : g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }
  else
    {
      g_autoptr(GString) text = g_string_new ("# Evscope hot pixel mask: one “x y” per line\n");

      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, "%u %u\n", pixels[i] & 0xFFFF, pixels[i] >> 16);
      return g_file_set_contents (path, text->str, text->len, error);
    }
}

static void
evs_hot_pixels_filter_to_json (EvsFilter   *filter,
                               JsonBuilder *builder)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;

  switch (self->criterion)
    {
    case EVS_HOT_PIXELS_CRITERION_PERCENTILE:
      json_builder_set_member_name (builder, "percentile");
      json_builder_add_double_value (builder, self->percentile);
      break;

    case EVS_HOT_PIXELS_CRITERION_MASK:
      json_builder_set_member_name (builder, "mask");
      json_builder_add_string_value (builder, self->mask_path != NULL ? self->mask_path : "");
      break;

    case EVS_HOT_PIXELS_CRITERION_MAX_RATE:
    default:
      json_builder_set_member_name (builder, "max_rate_hz");
      json_builder_add_double_value (builder, self->max_rate_hz);
      break;
    }
  if (self->learn_ms > 0 && self->criterion != EVS_HOT_PIXELS_CRITERION_MASK)
    {
      json_builder_set_member_name (builder, "learn_ms");
      json_builder_add_int_value (builder, self->learn_ms);
    }
}

static gboolean
evs_hot_pixels_filter_set_json_member (EvsFilter   *filter,
                                       const char  *key,
                                       JsonNode    *node,
                                       const char  *base_dir,
                                       GError     **error)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;
  EvsFilterClass *parent = EVS_FILTER_CLASS (evs_hot_pixels_filter_parent_class);

  if (g_str_equal (key, "max_rate_hz"))
    {
      if (!parent->set_json_member (filter, key, node, base_dir, error))
        return FALSE;
      self->json_criteria |= 1;
      g_object_set (self, "criterion", EVS_HOT_PIXELS_CRITERION_MAX_RATE, NULL);
      return TRUE;
    }
  if (g_str_equal (key, "percentile"))
    {
      if (!parent->set_json_member (filter, key, node, base_dir, error))
        return FALSE;
      self->json_criteria |= 2;
      g_object_set (self, "criterion", EVS_HOT_PIXELS_CRITERION_PERCENTILE, NULL);
      return TRUE;
    }
  if (g_str_equal (key, "learn_ms"))
    return parent->set_json_member (filter, key, node, base_dir, error);
  if (g_str_equal (key, "mask"))
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *s;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
          || *(s = json_node_get_string (node)) == '\0')
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "key “mask”: expected a file name");
          return FALSE;
        }
      if (g_path_is_absolute (s) || base_dir == NULL)
        path = g_strdup (s);
      else
        path = g_build_filename (base_dir, s, NULL);
      if (!evs_hot_pixels_filter_load_mask (self, path, &local_error))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "key “mask”: %s",
                       local_error->message);
          return FALSE;
        }
      self->json_criteria |= 4;
      return TRUE;
    }

  g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "unknown key “%s”", key);
  return FALSE;
}

static gboolean
evs_hot_pixels_filter_check (EvsFilter  *filter,
                             GError    **error)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;
  guint seen = self->json_criteria;

  self->json_criteria = 0;
  if (seen != 0 && (seen & (seen - 1)) != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "give only one of “max_rate_hz”, “percentile” and “mask”");
      return FALSE;
    }
  return TRUE;
}

static void
copy_grid (EvsPixelGrid       *dst,
           const EvsPixelGrid *src)
{
  _evs_pixel_grid_clear (dst);
  if (src->data == NULL)
    return;
  _evs_pixel_grid_ensure (dst, src->elem_size, src->width, src->height);
  memcpy (dst->data, src->data, (gsize) src->width * src->height * src->elem_size);
}

static void
evs_hot_pixels_filter_copy_extra (EvsFilter *filter,
                                  EvsFilter *copy_filter)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) filter;
  EvsHotPixelsFilter *copy = (EvsHotPixelsFilter *) copy_filter;

  copy_grid (&copy->mask, &self->mask);
  g_free (copy->mask_path);
  copy->mask_path = g_strdup (self->mask_path);
  copy->criterion = self->criterion;
  if (self->learn_ms == 0 && self->have_counts)
    {
      copy_grid (&copy->counts, &self->counts);
      copy_grid (&copy->learnt, &self->learnt);
      copy->duration_us = self->duration_us;
      copy->have_counts = TRUE;
    }
}

static void
evs_hot_pixels_filter_finalize (GObject *object)
{
  EvsHotPixelsFilter *self = (EvsHotPixelsFilter *) object;

  g_clear_pointer (&self->mask_path, g_free);
  _evs_pixel_grid_clear (&self->counts);
  _evs_pixel_grid_clear (&self->learnt);
  _evs_pixel_grid_clear (&self->mask);
  g_free (self->bits);

  G_OBJECT_CLASS (evs_hot_pixels_filter_parent_class)->finalize (object);
}

static void
evs_hot_pixels_filter_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EvsHotPixelsFilter *self = EVS_HOT_PIXELS_FILTER (object);

  switch (prop_id)
    {
    case PROP_CRITERION:
      g_value_set_enum (value, self->criterion);
      break;

    case PROP_MAX_RATE_HZ:
      g_value_set_double (value, self->max_rate_hz);
      break;

    case PROP_PERCENTILE:
      g_value_set_double (value, self->percentile);
      break;

    case PROP_MASK:
      g_value_set_string (value, self->mask_path);
      break;

    case PROP_LEARN_MS:
      g_value_set_uint (value, self->learn_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_hot_pixels_filter_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EvsHotPixelsFilter *self = EVS_HOT_PIXELS_FILTER (object);

  switch (prop_id)
    {
    case PROP_CRITERION:
      if ((int) self->criterion != g_value_get_enum (value))
        {
          self->criterion = g_value_get_enum (value);
          recompute (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_MAX_RATE_HZ:
      if (self->max_rate_hz != g_value_get_double (value))
        {
          self->max_rate_hz = g_value_get_double (value);
          recompute (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_PERCENTILE:
      if (self->percentile != g_value_get_double (value))
        {
          self->percentile = g_value_get_double (value);
          recompute (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_LEARN_MS:
      if (self->learn_ms != g_value_get_uint (value))
        {
          self->learn_ms = g_value_get_uint (value);
          self->have_counts = FALSE;
          self->window_started = FALSE;
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_hot_pixels_filter_class_init (EvsHotPixelsFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_hot_pixels_filter_finalize;
  object_class->get_property = evs_hot_pixels_filter_get_property;
  object_class->set_property = evs_hot_pixels_filter_set_property;

  filter_class->type_name = "hot_pixels";
  filter_class->process = evs_hot_pixels_filter_process;
  filter_class->refine = evs_hot_pixels_filter_refine;
  filter_class->reset = evs_hot_pixels_filter_reset;
  filter_class->to_json = evs_hot_pixels_filter_to_json;
  filter_class->set_json_member = evs_hot_pixels_filter_set_json_member;
  filter_class->check = evs_hot_pixels_filter_check;
  filter_class->copy_extra = evs_hot_pixels_filter_copy_extra;

  properties[PROP_CRITERION] =
    g_param_spec_enum ("criterion", NULL, NULL, EVS_TYPE_HOT_PIXELS_CRITERION,
                       EVS_HOT_PIXELS_CRITERION_MAX_RATE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_RATE_HZ] =
    g_param_spec_double ("max-rate-hz", NULL, NULL, 0.0, 1e9, 100.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERCENTILE] =
    g_param_spec_double ("percentile", NULL, NULL, 0.0, 100.0, 99.9,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the file the mask was loaded from (evs_hot_pixels_filter_load_mask()) */
  properties[PROP_MASK] =
    g_param_spec_string ("mask", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEARN_MS] =
    g_param_spec_uint ("learn-ms", NULL, NULL, 0, 3600 * 1000, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_hot_pixels_filter_init (EvsHotPixelsFilter *self)
{
  self->criterion = EVS_HOT_PIXELS_CRITERION_MAX_RATE;
  self->max_rate_hz = 100.0;
  self->percentile = 99.9;
}

EvsFilter *
evs_hot_pixels_filter_new (void)
{
  return g_object_new (EVS_TYPE_HOT_PIXELS_FILTER, NULL);
}
