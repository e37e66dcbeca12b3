/**
 * Nest's own metadata keys and parameter types (`ROUTE_ARGS_METADATA`, `RESPONSE_PASSTHROUGH_METADATA`,
 * `RouteParamtypes.RESPONSE` and `NEXT` in @nestjs/common), the same since Nest 5. Spelled out here
 * because @nestjs/common only exports them from internal paths, which differ between Nest 11 and 12.
 */
const ROUTE_ARGS_METADATA = '__routeArguments__';
const RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
const RESPONSE_PARAM = 1;
const NEXT_PARAM = 2;

/**
 * Whether the route sends its response itself, by Nest's router's own rule: a parameter with `@Res()` or
 * `@Next()`, without `passthrough`. Nest then sends nothing of what the handler returns, so there is no
 * response to store, and a replay returned by an interceptor would never be sent either.
 */
export function sendsOwnResponse(controller: object, methodName: string | symbol): boolean {
  const params: unknown = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName);
  if (typeof params !== 'object' || params === null) return false;
  const handlesResponse = Object.keys(params).some((key) => {
    const type = Number(key.split(':')[0]);
    return type === RESPONSE_PARAM || type === NEXT_PARAM;
  });
  return handlesResponse && !Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, methodName);
}
