"""Hypervisors, with the State and Status of their compute service."""

from __future__ import annotations

from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields


class ListHypervisor(base.Lister):
    """List hypervisors, with State (up/down) and Status (enabled/disabled)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--matching',
            metavar='<pattern>',
            type=values.nonblank,
            help='Only hypervisors whose hostname contains this text.',
        )
        base.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        hypervisors = self.compute.hypervisors.list(
            matching=parsed_args.matching, detailed=parsed_args.long
        )
        return fields.rows(hypervisors, fields.HYPERVISOR, parsed_args.long)


class ShowHypervisor(base.ShowOne):
    """Show a hypervisor: fixed fields, with its service and uptime.

    The fields do not change with the microversion: those the API no
    longer gives (usage figures, from 2.88) are empty.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'hypervisor',
            metavar='<hypervisor>',
            type=values.nonblank,
            help='Hypervisor ID (an integer before microversion 2.53, a UUID '
            'from 2.53) or hostname.',
        )
        return parser

    def take_action(self, parsed_args):
        hypervisor = self.compute.hypervisors.get(parsed_args.hypervisor)
        return fields.show(hypervisor, fields.HYPERVISOR_SHOW)
