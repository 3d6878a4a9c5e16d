/* evs-render.c
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

#define G_LOG_DOMAIN "evs-render"

#include "config.h"

#include "evs-render.h"
#include "evs-error.h"

#include <math.h>
#include <string.h>

/* Renderers: events → compact per-pixel state → premultiplied ARGB32.
 *
 * The state is O(pixels): two float weights (accumulation only), two 32-bit
 * last timestamps relative to the window start, and a 16-bit saturating
 * count.  Adding events is O(events in the window); finishing is O(pixels).
 * Everything here is a pure function of the events and the parameters, so
 * the GUI, the CLI and the tests produce the same bytes. */

G_DEFINE_ENUM_TYPE (EvsViewMode, evs_view_mode,
                    G_DEFINE_ENUM_VALUE (EVS_VIEW_MODE_ACCUMULATE, "accumulate"),
                    G_DEFINE_ENUM_VALUE (EVS_VIEW_MODE_TIME_SURFACE, "time-surface"))

G_DEFINE_ENUM_TYPE (EvsAccumulateStyle, evs_accumulate_style,
                    G_DEFINE_ENUM_VALUE (EVS_ACCUMULATE_STYLE_ON_OFF, "on-off"),
                    G_DEFINE_ENUM_VALUE (EVS_ACCUMULATE_STYLE_SIGNED_GREY, "signed-grey"))

G_DEFINE_ENUM_TYPE (EvsDecay, evs_decay,
                    G_DEFINE_ENUM_VALUE (EVS_DECAY_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (EVS_DECAY_LINEAR, "linear"),
                    G_DEFINE_ENUM_VALUE (EVS_DECAY_EXPONENTIAL, "exponential"))

G_DEFINE_ENUM_TYPE (EvsColormap, evs_colormap,
                    G_DEFINE_ENUM_VALUE (EVS_COLORMAP_VIRIDIS, "viridis"),
                    G_DEFINE_ENUM_VALUE (EVS_COLORMAP_INFERNO, "inferno"),
                    G_DEFINE_ENUM_VALUE (EVS_COLORMAP_GREY, "grey"))

#define MAX_WINDOW_US G_GINT64_CONSTANT (2000000000)

void
evs_render_params_init (EvsRenderParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->mode = EVS_VIEW_MODE_ACCUMULATE;
  params->t_end = 10000;
  params->window_us = 10000;
  params->style = EVS_ACCUMULATE_STYLE_ON_OFF;
  params->decay = EVS_DECAY_NONE;
  params->contrast = 1.0;
  params->tau_us = 5000.0;
  params->split_polarity = FALSE;
  params->colormap = EVS_COLORMAP_VIRIDIS;
}

/* Colormaps: piecewise-linear through matplotlib's values at 0, 0.1, …, 1. */
static const guint32 viridis_stops[11] = {
  0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
  0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
};
static const guint32 inferno_stops[11] = {
  0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754,
  0xdd513a, 0xf37819, 0xfca50a, 0xf6d746, 0xfcffa4,
};

static guint32 lut_viridis[256];
static guint32 lut_inferno[256];
static guint32 lut_grey[256];

static inline guint8
to_byte (double v)
{
  if (!(v > 0.0))
    return 0;
  if (v >= 1.0)
    return 255;
  return (guint8) (v * 255.0 + 0.5);
}

static inline guint8
channel_clamp (double v)
{
  if (!(v > 0.0))
    return 0;
  if (v >= 255.0)
    return 255;
  return (guint8) (v + 0.5);
}

static inline guint32
argb (guint8 r,
      guint8 g,
      guint8 b)
{
  return 0xff000000u | ((guint32) r << 16) | ((guint32) g << 8) | b;
}

static void
fill_lut (guint32       *lut,
          const guint32 *stops)
{
  for (guint i = 0; i < 256; i++)
    {
      double pos = i / 255.0 * 10.0;
      guint k = MIN ((guint) pos, 9);
      double f = pos - k;
      guint32 a = stops[k], b = stops[k + 1];
      double r = ((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f;
      double g = ((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f;
      double bl = (a & 0xff) * (1 - f) + (b & 0xff) * f;

      lut[i] = argb (channel_clamp (r), channel_clamp (g), channel_clamp (bl));
    }
}

static const guint32 *
get_lut (EvsColormap colormap)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      fill_lut (lut_viridis, viridis_stops);
      fill_lut (lut_inferno, inferno_stops);
      for (guint i = 0; i < 256; i++)
        lut_grey[i] = argb (i, i, i);
      g_once_init_leave (&initialized, 1);
    }

  switch (colormap)
    {
    case EVS_COLORMAP_INFERNO:
      return lut_inferno;
    case EVS_COLORMAP_GREY:
      return lut_grey;
    case EVS_COLORMAP_VIRIDIS:
    default:
      return lut_viridis;
    }
}

/* EvsFrame */

G_DEFINE_BOXED_TYPE (EvsFrame, evs_frame, evs_frame_ref, evs_frame_unref)

EvsFrame *
evs_frame_ref (EvsFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  g_atomic_ref_count_inc (&frame->ref_count);
  return frame;
}

void
evs_frame_unref (EvsFrame *frame)
{
  g_return_if_fail (frame != NULL);

  if (g_atomic_ref_count_dec (&frame->ref_count))
    {
      g_clear_pointer (&frame->pixels, g_bytes_unref);
      g_free (frame->counts);
      g_free (frame->last_t);
      g_free (frame);
    }
}

/**
 * evs_frame_lookup:
 * @count: (out) (optional): events at (@x, @y) in the window
 * @last_t: (out) (optional): time of the last of them (µs), or -1
 *
 * Returns: %FALSE when (@x, @y) is outside the sensor
 */
gboolean
evs_frame_lookup (const EvsFrame *frame,
                  guint           x,
                  guint           y,
                  guint          *count,
                  gint64         *last_t)
{
  gsize i;

  g_return_val_if_fail (frame != NULL, FALSE);

  if (x >= frame->width || y >= frame->height)
    return FALSE;

  i = (gsize) y * frame->width + x;
  if (count != NULL)
    *count = frame->counts[i];
  if (last_t != NULL)
    *last_t = frame->last_t[i] < 0 ? -1 : frame->t_start + frame->last_t[i];

  return TRUE;
}

/**
 * evs_frame_get_pixel:
 *
 * Returns: the premultiplied ARGB32 value at (@x, @y), as 0xAARRGGBB
 */
guint32
evs_frame_get_pixel (const EvsFrame *frame,
                     guint           x,
                     guint           y)
{
  const guint8 *data;

  g_return_val_if_fail (frame != NULL, 0);
  g_return_val_if_fail (x < frame->width && y < frame->height, 0);

  data = g_bytes_get_data (frame->pixels, NULL);
  return *(const guint32 *) (gconstpointer) (data + y * frame->stride + x * 4);
}

/**
 * evs_frame_count_non_background:
 *
 * Returns: how many pixels differ from the colour of an empty pixel
 */
gsize
evs_frame_count_non_background (const EvsFrame *frame)
{
  g_autoptr(EvsRenderer) empty = NULL;
  g_autoptr(EvsFrame) blank = NULL;
  guint32 bg;
  gsize n = 0;

  g_return_val_if_fail (frame != NULL, 0);

  if (frame->width == 0 || frame->height == 0)
    return 0;

  empty = evs_renderer_new (1, 1, &frame->params);
  blank = evs_renderer_finish (empty);
  bg = evs_frame_get_pixel (blank, 0, 0);

  for (guint y = 0; y < frame->height; y++)
    for (guint x = 0; x < frame->width; x++)
      n += evs_frame_get_pixel (frame, x, y) != bg;

  return n;
}

/**
 * evs_frame_create_surface:
 *
 * Returns: (transfer full): an image surface sharing the frame's pixels
 *   (keeping the frame alive); do not draw on it
 */
cairo_surface_t *
evs_frame_create_surface (EvsFrame *frame)
{
  static const cairo_user_data_key_t key;
  cairo_surface_t *surface;

  g_return_val_if_fail (frame != NULL, NULL);

  surface = cairo_image_surface_create_for_data ((guchar *) g_bytes_get_data (frame->pixels, NULL),
                                                 CAIRO_FORMAT_ARGB32,
                                                 frame->width, frame->height,
                                                 frame->stride);
  cairo_surface_set_user_data (surface, &key, evs_frame_ref (frame),
                               (cairo_destroy_func_t) evs_frame_unref);
  return surface;
}

static cairo_status_t
write_png_cb (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  GOutputStream *stream = closure;

  if (!g_output_stream_write_all (stream, data, length, NULL, NULL, NULL))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

/**
 * evs_frame_save_png:
 *
 * Writes the frame at sensor resolution to @path, atomically (a temporary
 * file beside it, renamed on success).
 */
gboolean
evs_frame_save_png (EvsFrame    *frame,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (frame->width == 0 || frame->height == 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Cannot save an empty frame to “%s”", path);
      return FALSE;
    }

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;

  surface = evs_frame_create_surface (frame);
  status = cairo_surface_write_to_png_stream (surface, write_png_cb, stream);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autoptr(GError) ignored = NULL;
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      /* Cancelling the close discards the temporary file. */
      g_cancellable_cancel (cancel);
      g_output_stream_close (G_OUTPUT_STREAM (stream), cancel, &ignored);
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Could not write PNG “%s”: %s",
                   path, cairo_status_to_string (status));
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

/* EvsRenderer */

struct _EvsRenderer
{
  EvsRenderParams params;
  guint           width;
  guint           height;
  gint64          t_start;
  guint64         n_events;
  float          *weight;  /* 2 per pixel: OFF, ON (accumulation only) */
  gint32         *last;    /* 2 per pixel: OFF, ON, relative to t_start, or -1 */
  guint16        *counts;
};

/**
 * evs_renderer_new:
 *
 * Creates the per-pixel state for one frame of @width × @height.  Feed it
 * the window's events with evs_renderer_add() (events outside the window or
 * the sensor are ignored) and get the frame with evs_renderer_finish().
 */
EvsRenderer *
evs_renderer_new (guint                  width,
                  guint                  height,
                  const EvsRenderParams *params)
{
  EvsRenderer *self;
  gsize n_pixels = (gsize) width * height;

  g_return_val_if_fail (params != NULL, NULL);

  self = g_new0 (EvsRenderer, 1);
  self->params = *params;
  self->params.window_us = CLAMP (params->window_us, 1, MAX_WINDOW_US);
  if (!(self->params.contrast > 0.0))
    self->params.contrast = 1.0;
  if (!(self->params.tau_us >= 1.0))
    self->params.tau_us = 1.0;
  self->width = width;
  self->height = height;
  self->t_start = self->params.t_end - self->params.window_us;

  if (self->params.mode == EVS_VIEW_MODE_ACCUMULATE)
    self->weight = g_new0 (float, 2 * n_pixels);
  self->last = g_new (gint32, 2 * n_pixels);
  memset (self->last, 0xff, 2 * n_pixels * sizeof (gint32));
  self->counts = g_new0 (guint16, n_pixels);

  return self;
}

void
evs_renderer_free (EvsRenderer *self)
{
  if (self == NULL)
    return;

  g_free (self->weight);
  g_free (self->last);
  g_free (self->counts);
  g_free (self);
}

void
evs_renderer_add (EvsRenderer         *self,
                  const EvsEventChunk *chunk)
{
  const gint64 t_start = self->t_start;
  const gint64 t_end = self->params.t_end;
  const double window = (double) self->params.window_us;
  const double inv_tau = 1.0 / self->params.tau_us;
  const guint width = self->width, height = self->height;
  const EvsDecay decay = self->params.decay;

  g_return_if_fail (self != NULL);
  g_return_if_fail (chunk != NULL);

  for (gsize i = 0; i < chunk->n_events; i++)
    {
      gint64 t = chunk->t[i];
      guint x = chunk->x[i], y = chunk->y[i];
      guint p = chunk->p[i] ? 1 : 0;
      gsize px;

      if (t < t_start || t >= t_end || x >= width || y >= height)
        continue;

      px = (gsize) y * width + x;
      self->last[2 * px + p] = (gint32) (t - t_start);
      if (self->counts[px] != G_MAXUINT16)
        self->counts[px]++;
      self->n_events++;

      if (self->weight != NULL)
        {
          double age = (double) (t_end - t);
          double w;

          switch (decay)
            {
            case EVS_DECAY_LINEAR:
              w = 1.0 - age / window;
              break;
            case EVS_DECAY_EXPONENTIAL:
              w = exp (-age * inv_tau);
              break;
            case EVS_DECAY_NONE:
            default:
              w = 1.0;
              break;
            }
          self->weight[2 * px + p] += (float) w;
        }
    }
}

static inline double
surface_value (gint32 last,
               gint64 window,
               double inv_tau)
{
  if (last < 0)
    return 0.0;
  return exp (-(double) (window - last) * inv_tau);
}

/**
 * evs_renderer_finish:
 *
 * Colours the state.  The renderer can be freed afterwards.
 *
 * Returns: (transfer full): the frame
 */
EvsFrame *
evs_renderer_finish (EvsRenderer *self)
{
  EvsFrame *frame;
  gsize stride, n_pixels;
  guint8 *data;
  const EvsRenderParams *params;

  g_return_val_if_fail (self != NULL, NULL);

  params = &self->params;
  n_pixels = (gsize) self->width * self->height;
  stride = (gsize) self->width * 4;
  data = g_malloc (MAX (stride * self->height, 1));

  if (params->mode == EVS_VIEW_MODE_ACCUMULATE)
    {
      const double c = params->contrast;
      const double on_r = (EVS_RENDER_ON_COLOR >> 16) & 0xff;
      const double on_g = (EVS_RENDER_ON_COLOR >> 8) & 0xff;
      const double on_b = EVS_RENDER_ON_COLOR & 0xff;
      const double off_r = (EVS_RENDER_OFF_COLOR >> 16) & 0xff;
      const double off_g = (EVS_RENDER_OFF_COLOR >> 8) & 0xff;
      const double off_b = EVS_RENDER_OFF_COLOR & 0xff;
      const double bg_r = (EVS_RENDER_BACKGROUND_COLOR >> 16) & 0xff;
      const double bg_g = (EVS_RENDER_BACKGROUND_COLOR >> 8) & 0xff;
      const double bg_b = EVS_RENDER_BACKGROUND_COLOR & 0xff;

      for (gsize px = 0; px < n_pixels; px++)
        {
          double w_off = self->weight[2 * px];
          double w_on = self->weight[2 * px + 1];
          guint32 value;

          if (params->style == EVS_ACCUMULATE_STYLE_SIGNED_GREY)
            {
              double v = CLAMP (c * (w_on - w_off), -1.0, 1.0);
              guint8 g = to_byte (0.5 + 0.5 * v);

              value = argb (g, g, g);
            }
          else
            {
              double a_on = MIN (1.0, c * w_on);
              double a_off = MIN (1.0, c * w_off);

              value = argb (channel_clamp (bg_r + a_on * (on_r - bg_r) + a_off * (off_r - bg_r)),
                            channel_clamp (bg_g + a_on * (on_g - bg_g) + a_off * (off_g - bg_g)),
                            channel_clamp (bg_b + a_on * (on_b - bg_b) + a_off * (off_b - bg_b)));
            }
          ((guint32 *) (gpointer) data)[px] = value;
        }
    }
  else
    {
      const guint32 *lut = get_lut (params->colormap);
      const double inv_tau = 1.0 / params->tau_us;
      const gint64 window = params->window_us;

      for (gsize px = 0; px < n_pixels; px++)
        {
          double s_off = surface_value (self->last[2 * px], window, inv_tau);
          double s_on = surface_value (self->last[2 * px + 1], window, inv_tau);
          double v;

          if (params->split_polarity)
            v = 0.5 + 0.5 * (s_on - s_off);
          else
            v = MAX (s_on, s_off);
          ((guint32 *) (gpointer) data)[px] = lut[to_byte (v)];
        }
    }

  frame = g_new0 (EvsFrame, 1);
  g_atomic_ref_count_init (&frame->ref_count);
  frame->width = self->width;
  frame->height = self->height;
  frame->stride = stride;
  frame->pixels = g_bytes_new_take (data, MAX (stride * self->height, 1));
  frame->counts = g_steal_pointer (&self->counts);
  frame->last_t = g_new (gint32, MAX (n_pixels, 1));
  for (gsize px = 0; px < n_pixels; px++)
    frame->last_t[px] = MAX (self->last[2 * px], self->last[2 * px + 1]);
  frame->t_start = self->t_start;
  frame->t_end = params->t_end;
  frame->n_events = self->n_events;
  frame->params = *params;

  /* The renderer is spent; make a second finish harmless. */
  self->counts = g_new0 (guint16, MAX (n_pixels, 1));

  return frame;
}

/**
 * evs_render_events:
 *
 * Renders the events of @events that fall in the window of @params.
 *
 * Returns: (transfer full): the frame
 */
EvsFrame *
evs_render_events (guint                  width,
                   guint                  height,
                   const EvsRenderParams *params,
                   const EvsEventChunk   *events)
{
  g_autoptr(EvsRenderer) renderer = evs_renderer_new (width, height, params);

  if (events != NULL)
    evs_renderer_add (renderer, events);
  return evs_renderer_finish (renderer);
}

/**
 * evs_render_window:
 *
 * Seeks @reader to the window start and streams the window's events through
 * a renderer: memory is O(chunk + pixels) whatever the window length.
 *
 * Returns: (transfer full): the frame, or %NULL on error or cancellation
 */
EvsFrame *
evs_render_window (EvsReader              *reader,
                   guint                   width,
                   guint                   height,
                   const EvsRenderParams  *params,
                   GCancellable           *cancellable,
                   GError                **error)
{
  g_autoptr(EvsRenderer) renderer = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  renderer = evs_renderer_new (width, height, params);
  if (!evs_reader_seek (reader, renderer->t_start, error))
    return NULL;

  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!evs_reader_read (reader, chunk, error))
        return NULL;
      if (chunk->n_events == 0)
        break;
      evs_renderer_add (renderer, chunk);
      if (chunk->t[chunk->n_events - 1] >= renderer->params.t_end)
        break;
    }

  return evs_renderer_finish (renderer);
}
