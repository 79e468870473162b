// The API on the portal's origin (runtime cloudfront-js-2.0), on the distribution's `/api/*`
// behavior: the browser calls /api/apis/..., the stage's REST API serves /apis/... (CloudFront adds
// the origin's path, the API stage, in front). The local gateway serves the same prefix
// (contracts/web.py API_PREFIX); stacks/web_stack.py puts it in place of the name below.
var API_PREFIX = __API_PREFIX__;

function handler(event) {
  var request = event.request;
  request.uri = request.uri.substring(API_PREFIX.length) || "/";
  return request;
}
