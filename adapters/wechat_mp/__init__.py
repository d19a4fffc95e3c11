"""The WeChat Official Account (公众号) channel: residents' callback, pushes, dispute codes."""
from adapters.wechat_mp.channel import WeChatMPChannel

__all__ = ["WeChatMPChannel"]
