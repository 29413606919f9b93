"""MCP tool triggers for IDE agents. Adapters only: each calls one tool of shared.http.mcp_tools.

`use_result_schema=True` lets a tool return a whole CallToolResult, so an API error reaches the agent as a
result marked `isError` (without it the extension wraps any returned text as a plain success)."""

from __future__ import annotations

import azure.durable_functions as df

from shared.http import mcp_tools

bp = df.Blueprint()


@bp.mcp_tool_trigger(arg_name="context", tool_name=mcp_tools.START_TOOL, description=mcp_tools.START_DESCRIPTION,
                     tool_properties=mcp_tools.START_PROPERTIES, use_result_schema=True)
@bp.durable_client_input(client_name="client")
async def mcp_debug_error(context: str, client: df.DurableOrchestrationClient) -> str:
    return await mcp_tools.debug_error(context, client)


@bp.mcp_tool_trigger(arg_name="context", tool_name=mcp_tools.CONTINUE_TOOL,
                     description=mcp_tools.CONTINUE_DESCRIPTION, tool_properties=mcp_tools.CONTINUE_PROPERTIES,
                     use_result_schema=True)
@bp.durable_client_input(client_name="client")
async def mcp_debug_error_continue(context: str, client: df.DurableOrchestrationClient) -> str:
    return await mcp_tools.debug_error_continue(context, client)


@bp.mcp_tool_trigger(arg_name="context", tool_name=mcp_tools.FEEDBACK_TOOL,
                     description=mcp_tools.FEEDBACK_DESCRIPTION, tool_properties=mcp_tools.FEEDBACK_PROPERTIES,
                     use_result_schema=True)
@bp.durable_client_input(client_name="client")
async def mcp_debug_error_feedback(context: str, client: df.DurableOrchestrationClient) -> str:
    return await mcp_tools.debug_error_feedback(context, client)
