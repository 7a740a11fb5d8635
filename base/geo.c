/*
** geo.c -- great-circle distance (haversine, R = 6371.0088 km, the IUGG
** mean radius) and the 1-degree cells of the geo index: the cell of a
** point and the cells that cover a circle. Pure functions; see base.h.
*/
#include <math.h>
#include "base.h"

#define GEO_PI 3.14159265358979323846
#define GEO_RAD(x) ((x)*(GEO_PI/180.0))
#define GEO_DEG(x) ((x)*(180.0/GEO_PI))
#define GEO_EPS 1e-9       /* degrees of slack added around a bounding box */

/* Great-circle distance in km between two points given in degrees. */
double faktHaversineKm(double lat1, double lon1, double lat2, double lon2){
  double p1 = GEO_RAD(lat1), p2 = GEO_RAD(lat2);
  double dp = GEO_RAD(lat2-lat1), dl = GEO_RAD(lon2-lon1);
  double s1 = sin(dp/2), s2 = sin(dl/2);
  double h = s1*s1 + cos(p1)*cos(p2)*s2*s2;
  if( h>1.0 ) h = 1.0;
  if( h<0.0 ) h = 0.0;
  return 2.0*FAKT_EARTH_RADIUS_KM*asin(sqrt(h));
}

/* Row (0..179) of a latitude; 90 itself falls into the top row. A latitude
** out of range (or NaN, from a damaged record) is clamped before the cast. */
static int cellRow(double lat){
  int r;
  if( !(lat>=-90.0) ) return 0;
  if( lat>=90.0 ) return 179;
  r = (int)floor(lat) + 90;
  return r>179 ? 179 : r;
}

/* Column (0..359) of a longitude; any longitude is first wrapped to
** [-180,180). A non-finite one (a damaged record) gives column 0. */
static int cellCol(double lon){
  int c;
  if( !isfinite(lon) ) return 0;
  if( lon<-180.0 || lon>=180.0 ){
    lon = fmod(lon+180.0, 360.0);
    if( lon<0 ) lon += 360.0;
    lon -= 180.0;
  }
  c = (int)floor(lon) + 180;
  if( c<0 ) c = 0;
  if( c>359 ) c = 359;
  return c;
}

/*
** Cell of a point: (floor(lat)+90) << 16 | (floor(lon)+180). The
** longitude is wrapped into [-180,180) first, so 180 E is the cell of
** 180 W, and latitude 90 is kept in the top row (89..90).
*/
uint32_t faktGeoCell(double lat, double lon){
  return ((uint32_t)cellRow(lat)<<16) | (uint32_t)cellCol(lon);
}

/*
** Cells covering the circle of km around (lat,lon), in ascending order.
** The latitude band is lat -/+ the angular radius. If that band reaches a
** pole, the circle contains the pole and every longitude is needed;
** otherwise the longitude half-width is asin(sin(d)/cos(lat)), the
** longitude of the meridians tangent to the circle. A longitude range
** crossing +-180 wraps around. Non-finite input gives -1 (scan all).
*/
int faktGeoCells(double lat, double lon, double km, uint32_t *aCell, int nMax){
  double d;                /* angular radius, radians */
  double dDeg;             /* the same in degrees */
  double latLo, latHi;     /* latitude band, degrees */
  int r0, r1;              /* first and last row */
  int c0, c1;              /* first and last column, may be out of 0..359 */
  int nCol, nCell, r, c, k, i = 0;
  if( !isfinite(lat) || !isfinite(lon) || !isfinite(km) ) return -1;
  if( km<0 ) km = 0;
  if( lat>90 ) lat = 90;
  if( lat<-90 ) lat = -90;
  d = km/FAKT_EARTH_RADIUS_KM;
  if( d>=GEO_PI ) d = GEO_PI;
  dDeg = GEO_DEG(d);
  latLo = lat - dDeg - GEO_EPS;
  latHi = lat + dDeg + GEO_EPS;
  r0 = cellRow(latLo<-90 ? -90 : latLo);
  r1 = cellRow(latHi>90 ? 90 : latHi);
  if( latLo<=-90 || latHi>=90 ){
    c0 = 0;
    c1 = 359;
  }else{
    double s = sin(d)/cos(GEO_RAD(lat));
    double dLon = s>=1.0 ? 180.0 : GEO_DEG(asin(s)) + GEO_EPS;
    double lonW;
    if( dLon>=180.0 ){
      c0 = 0;
      c1 = 359;
    }else{
      lonW = fmod(lon+180.0, 360.0);           /* 0..360 */
      if( lonW<0 ) lonW += 360.0;
      c0 = (int)floor(lonW - dLon);
      c1 = (int)floor(lonW + dLon);
      if( c1-c0>=359 ){ c0 = 0; c1 = 359; }
    }
  }
  nCol = c1-c0+1;
  nCell = (r1-r0+1)*nCol;
  if( nCell>nMax ) return -1;
  for(r=r0; r<=r1; r++){
    /* columns in ascending order: the wrapped part first */
    for(k=0; k<nCol; k++){
      if( c0<0 ) c = (k < c1+1) ? k : c0+360+(k-(c1+1));
      else if( c1>359 ) c = (k < c1-359) ? k : c0+(k-(c1-359));
      else c = c0+k;
      aCell[i++] = ((uint32_t)r<<16) | (uint32_t)c;
    }
  }
  return i;
}
