/* evs-activity-filter.c
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

#define G_LOG_DOMAIN "evs-activity-filter"

#include "config.h"

#include "evs-activity-filter.h"
#include "evs-filter-private.h"

#include <math.h>

/*
 * Local activity filter.  The sensor is tiled in cells of cell_size ×
 * cell_size pixels; each cell keeps an exponentially decaying count of its
 * events with time constant window_us.  An event is dropped when the
 * activity of its neighbourhood — the sum over its cell and the 8 adjacent
 * cells of the decayed counts at the event's time, before adding the event
 * itself — is below min_events.  Roughly: events whose local rate is below
 * min_events / window_us are isolated and dropped.  Every event (kept or
 * not) is added to its cell.
 */

typedef struct
{
  gint64 t;
  double a;
} Cell;

struct _EvsActivityFilter
{
  EvsFilter    parent_instance;
  guint        cell_size;
  guint        window_us;
  double       min_events;
  EvsPixelGrid cells;   /* Cell, with a border of one cell */
};

enum {
  PROP_0,
  PROP_CELL_SIZE,
  PROP_WINDOW_US,
  PROP_MIN_EVENTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsActivityFilter, evs_activity_filter, EVS_TYPE_FILTER)

static inline double
decayed (const Cell *c,
         gint64      t,
         double      inv_tau)
{
  gint64 dt = t - c->t;

  if (c->a == 0.0)
    return 0.0;
  return c->a * exp (-(double) MAX (dt, 0) * inv_tau);
}

static void
evs_activity_filter_process (EvsFilter           *filter,
                             const EvsEventChunk *chunk,
                             guint8              *keep)
{
  EvsActivityFilter *self = (EvsActivityFilter *) filter;
  guint max_x, max_y;
  guint cs = self->cell_size;
  double inv_tau = 1.0 / self->window_us;
  double min_events = self->min_events;
  gsize gw;
  Cell *cells;

  _evs_chunk_max_xy (chunk, &max_x, &max_y);
  max_x = MAX (max_x + 1, evs_filter_get_width (filter));
  max_y = MAX (max_y + 1, evs_filter_get_height (filter));
  _evs_pixel_grid_ensure (&self->cells, sizeof (Cell), (max_x + cs - 1) / cs + 2,
                          (max_y + cs - 1) / cs + 2);
  gw = self->cells.width;
  cells = self->cells.data;

  for (gsize i = 0; i < chunk->n_events; i++)
    {
      gint64 t = chunk->t[i];
      Cell *c = cells + (gsize) (chunk->y[i] / cs + 1) * gw + chunk->x[i] / cs + 1;
      double sum = 0.0;

      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          sum += decayed (c + dy * (gssize) gw + dx, t, inv_tau);

      keep[i] = sum >= min_events;
      c->a = decayed (c, t, inv_tau) + 1.0;
      c->t = MAX (c->t, t);
    }
}

static void
evs_activity_filter_reset (EvsFilter *filter)
{
  EvsActivityFilter *self = (EvsActivityFilter *) filter;

  _evs_pixel_grid_clear (&self->cells);
}

static void
evs_activity_filter_finalize (GObject *object)
{
  EvsActivityFilter *self = (EvsActivityFilter *) object;

  _evs_pixel_grid_clear (&self->cells);

  G_OBJECT_CLASS (evs_activity_filter_parent_class)->finalize (object);
}

static void
evs_activity_filter_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EvsActivityFilter *self = EVS_ACTIVITY_FILTER (object);

  switch (prop_id)
    {
    case PROP_CELL_SIZE:
      g_value_set_uint (value, self->cell_size);
      break;

    case PROP_WINDOW_US:
      g_value_set_uint (value, self->window_us);
      break;

    case PROP_MIN_EVENTS:
      g_value_set_double (value, self->min_events);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_activity_filter_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EvsActivityFilter *self = EVS_ACTIVITY_FILTER (object);

  switch (prop_id)
    {
    case PROP_CELL_SIZE:
      if (self->cell_size != g_value_get_uint (value))
        {
          self->cell_size = g_value_get_uint (value);
          _evs_pixel_grid_clear (&self->cells);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_WINDOW_US:
      if (self->window_us != g_value_get_uint (value))
        {
          self->window_us = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_MIN_EVENTS:
      if (self->min_events != g_value_get_double (value))
        {
          self->min_events = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_activity_filter_class_init (EvsActivityFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_activity_filter_finalize;
  object_class->get_property = evs_activity_filter_get_property;
  object_class->set_property = evs_activity_filter_set_property;

  filter_class->type_name = "activity";
  filter_class->process = evs_activity_filter_process;
  filter_class->reset = evs_activity_filter_reset;

  properties[PROP_CELL_SIZE] =
    g_param_spec_uint ("cell-size", NULL, NULL, 1, 256, 4,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_US] =
    g_param_spec_uint ("window-us", NULL, NULL, 1, EVS_FILTER_MAX_WINDOW_US, 10000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MIN_EVENTS] =
    g_param_spec_double ("min-events", NULL, NULL, 0.0, 1e6, 2.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_activity_filter_init (EvsActivityFilter *self)
{
  self->cell_size = 4;
  self->window_us = 10000;
  self->min_events = 2.0;
}

EvsFilter *
evs_activity_filter_new (void)
{
  return g_object_new (EVS_TYPE_ACTIVITY_FILTER, NULL);
}
